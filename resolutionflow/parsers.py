"""DRF parsers for the API (kept apart from `resolutionflow.api`, which DRF's settings import lazily)."""

from rest_framework import exceptions, parsers


class JSONParser(parsers.JSONParser):
    """DRF's parser, but a document nested too deep for the decoder is a 400, not a RecursionError."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise exceptions.ParseError("JSON parse error - the document is nested too deeply.") from None
