"""Refuse input no page or API can store or compare safely, before anything reads it.

PostgreSQL rejects NUL in text (a DataError, so a 500 deep in a query), and a
control character in a header or a cookie has no legitimate use. Such requests
answer 400 here: JSON `{"detail"}` under /api/, a short text otherwise.
"""

import re
from urllib.parse import unquote_to_bytes

from django.http import HttpResponse, JsonResponse

# C0 controls except tab; DEL. Header values may carry tabs.
HEADER_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
NUL_FORMS = (b"\x00", b"\\u0000")
BODY_TYPES = ("application/json", "application/x-www-form-urlencoded", "text/")
MESSAGE = "The request contains control characters (such as NUL) that are not allowed."


class RejectUnsafeInputMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._unsafe(request):
            return refuse(request)
        return self.get_response(request)

    def _unsafe(self, request) -> bool:
        for key, value in request.META.items():
            if (key.startswith("HTTP_") or key in ("CONTENT_TYPE", "QUERY_STRING")) and HEADER_CONTROL.search(
                str(value)
            ):
                return True
        if b"\x00" in unquote_to_bytes(request.META.get("QUERY_STRING", "")):
            return True
        if request.path_info and "\x00" in request.path_info:
            return True
        if request.method in ("POST", "PUT", "PATCH") and request.content_type.startswith(BODY_TYPES):
            try:
                body = request.body
            except Exception:
                # Too large and the like: Django's own handling answers it when the view reads the body.
                return False
            if request.content_type == "application/x-www-form-urlencoded":
                body = unquote_to_bytes(body.replace(b"+", b" "))
            return any(form in body for form in NUL_FORMS)
        return False


def refuse(request) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": MESSAGE}, status=400)
    return HttpResponse(MESSAGE, status=400, content_type="text/plain; charset=utf-8")
