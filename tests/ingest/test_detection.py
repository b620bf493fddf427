"""Detection reads content only; a big Excel workbook is recognised even though Excel writes its text
(xl/sharedStrings.xml) after the sheet, far past the first 64 KB."""

from __future__ import annotations

import io

from ingest.parsers import registry
from ingest.parsers.base import sniff
from tests.ingest import docgen


def test_large_excel_style_workbook_is_detected() -> None:
    rows = docgen.vc_rows("sales", 6000)
    raw = docgen.excel_style_xlsx(docgen.vc_table("sales", "en_US", rows))
    assert len(raw) > 256 * 1024  # the sheet alone is well past the default sniff window
    stream = io.BytesIO(raw)
    head = sniff(stream)
    assert stream.tell() == 0  # the stream is rewound for the parser
    spec = registry.detect(head)
    assert spec is not None
    assert spec.name == "VC_RETAIL_ANALYTICS_XLSX"
