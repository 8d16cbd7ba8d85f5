def navigation(request):
    """Navigation entries shown in the base template, per role."""
    user = getattr(request, "user", None)
    if not user or not user.is_authenticated or not user.account_id:
        return {"nav_items": []}
    items = [("Sessions", "/sessions/"), ("Escalations", "/escalations/")]
    if user.is_engineer_or_admin:
        items.append(("Analytics", "/analytics/escalations/"))
    items.append(("Account", "/account/"))
    path = request.path
    return {"nav_items": [(label, url, path.startswith(url)) for label, url in items]}
