"""Friendly error pages; JSON for API paths so clients always get {"detail": ...}."""

from django.http import JsonResponse
from django.shortcuts import render
from django.views import defaults


def _wants_json(request) -> bool:
    return request.path.startswith("/api/")


def not_found(request, exception=None):
    if _wants_json(request):
        return JsonResponse({"detail": "Not found."}, status=404)
    return render(request, "404.html", status=404)


def forbidden(request, exception=None):
    message = str(exception) if exception and str(exception) else "You do not have permission to do that."
    if _wants_json(request):
        return JsonResponse({"detail": message}, status=403)
    return render(request, "403.html", {"message": message}, status=403)


def bad_request(request, exception=None):
    if _wants_json(request):
        return JsonResponse({"detail": "Bad request."}, status=400)
    return defaults.bad_request(request, exception)


def server_error(request):
    if _wants_json(request):
        return JsonResponse({"detail": "Server error; the team has been told."}, status=500)
    return defaults.server_error(request)
