from django.urls import reverse


def navigation(request):
    """Navigation entries shown in the base template, per role."""
    user = getattr(request, "user", None)
    if not user or not user.is_authenticated or not user.account_id:
        return {"nav_items": []}
    items = [("Sessions", reverse("flowpilot:list")), ("Escalations", reverse("escalations:queue"))]
    if user.is_engineer_or_admin:
        items.append(("Analytics", reverse("analytics:dashboard")))
    items.append(("Account", reverse("accounts:settings")))
    path = request.path
    return {"nav_items": [(label, url, path.startswith(url)) for label, url in items]}
