"""Every URL the project's own apps serve, with placeholder arguments, for access tests."""

from django.urls import URLPattern, URLResolver, get_resolver

PLACEHOLDERS = {
    "int": "1",
    "str": "x",
    "slug": "x",
    "uuid": "00000000-0000-0000-0000-000000000000",
    "path": "x",
}
PROJECT_NAMESPACES = {"accounts", "parcels", "notifications"}


def _walk(patterns, prefix="", namespace=None):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), entry.namespace or namespace)
        elif isinstance(entry, URLPattern):
            yield namespace, entry.name, prefix + str(entry.pattern)


def project_urls() -> list[tuple[str, str]]:
    """(name, path) for every route of our own apps, with converters filled by placeholders."""
    found = []
    for namespace, name, route in _walk(get_resolver().url_patterns):
        if namespace not in PROJECT_NAMESPACES:
            continue
        for converter, value in PLACEHOLDERS.items():
            while f"<{converter}:" in route:
                start = route.index(f"<{converter}:")
                route = route[:start] + value + route[route.index(">", start) + 1 :]
        found.append((f"{namespace}:{name}", "/" + route))
    return found
