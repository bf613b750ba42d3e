"""Word scaffolding shared by every report: title page, contents, page numbers, styles.

Headings use Word's built-in "Heading N" styles so the navigation pane and a table of
contents work; the contents and page numbers are Word fields, filled in when the document
is opened (Word asks to update fields; LibreOffice updates them itself).

Speed: python-docx's `add_paragraph` searches the whole body for the section properties on
every call (quadratic: 10,000 excerpts took minutes), and its run and font setters cost
tens of microseconds each. Report paragraphs and runs are therefore built directly as
WordprocessingML elements (`w:p`, `w:r`, `w:t`, with style ids) inside python-docx's own
document, which supplies the package, styles, tables and saving.
"""

from __future__ import annotations

import io
import re
from datetime import date
from pathlib import Path

import docx  # python-docx (this module is accord.export.docx; absolute imports find the package)
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor
from docx.oxml.parser import oxml_parser
from lxml import etree

from .. import __version__
from ..interchange.qdc import write_atomically

GREY = RGBColor(0x59, 0x59, 0x59)
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


class Report:
    """A python-docx Document with accord's styles and helpers."""

    def __init__(self, title: str):
        self.doc = docx.Document()
        self._pending: list = []
        self.doc.core_properties.title = title
        self.doc.core_properties.author = "accord"
        self.doc.core_properties.comments = f"Made with accord {__version__}"
        styles = self.doc.styles
        self.style = {name: styles[name] for name in
                      ("Normal", "Title", "Subtitle", "Quote", "List Bullet", "Table Grid", "Caption")}
        for level in range(1, 10):
            self.style[f"Heading {level}"] = styles[f"Heading {level}"]
        source = styles.add_style("Excerpt Source", WD_STYLE_TYPE.PARAGRAPH)
        source.base_style = styles["Normal"]
        source.font.size = Pt(9)
        source.font.color.rgb = GREY
        source.paragraph_format.space_before = Pt(10)
        source.paragraph_format.space_after = Pt(2)
        source.paragraph_format.keep_with_next = True
        self.style["Excerpt Source"] = source
        memo = styles.add_style("Excerpt Memo", WD_STYLE_TYPE.PARAGRAPH)
        memo.base_style = styles["Normal"]
        memo.font.size = Pt(9)
        memo.font.italic = True
        memo.paragraph_format.left_indent = Pt(36)
        self.style["Excerpt Memo"] = memo
        self._page_numbers()

    # --- blocks ---------------------------------------------------------------------------------

    def add(self, style: str = "Normal"):
        """A new `w:p` at the end of the document (held back until `flush`)."""
        p = oxml_parser.makeelement(_W + "p")
        if style != "Normal":
            etree.SubElement(etree.SubElement(p, _W + "pPr"), _W + "pStyle").set(_W + "val", self.style[style].style_id)
        self._pending.append(p)
        return p

    @staticmethod
    def run(p, text: str, bold: bool = False, italic: bool = False):
        """Append a `w:r` with `text` to paragraph element `p`."""
        r = etree.SubElement(p, _W + "r")
        if bold or italic:
            props = etree.SubElement(r, _W + "rPr")
            if bold:
                etree.SubElement(props, _W + "b")
            if italic:
                etree.SubElement(props, _W + "i")
        t = etree.SubElement(r, _W + "t")
        text = _NOT_XML.sub("", text.replace("\t", " "))
        t.text = text
        if text[:1].isspace() or text[-1:].isspace():
            t.set(_XML_SPACE, "preserve")
        return r

    def flush(self) -> None:
        if not self._pending:
            return
        body = self.doc.element.body
        sect = body.sectPr
        if sect is not None:
            body.remove(sect)
        body.extend(self._pending)
        if sect is not None:
            body.append(sect)
        self._pending = []

    def paragraph(self, text: str = "", style: str = "Normal", bold_prefix: str | None = None):
        p = self.add(style)
        if bold_prefix:
            self.run(p, bold_prefix, bold=True)
        if text:
            self.run(p, text)
        return p

    def heading(self, text: str, level: int):
        return self.paragraph(text, f"Heading {min(max(level, 1), 9)}")

    def title_page(self, title: str, subtitle: str, facts: list[tuple[str, str]]) -> None:
        self.paragraph(title, "Title")
        if subtitle:
            self.paragraph(subtitle, "Subtitle")
        facts = [("Date", date.today().isoformat())] + facts
        table = self.table(["", ""], [[k, v] for k, v in facts], show_header=False)
        for row in table.rows:
            row.cells[0].paragraphs[0].runs[0].bold = True
        self.page_break()

    def contents(self, levels: int = 3) -> None:
        """A table of contents field (Word fills it in when fields are updated on opening)."""
        self.paragraph("Contents", "Title")
        p = self.add()
        _field(p, f'TOC \\o "1-{levels}" \\h \\z \\u', "Right-click and choose Update Field to show the contents.")
        settings = self.doc.settings.element
        update = OxmlElement("w:updateFields")
        update.set(qn("w:val"), "true")
        settings.append(update)
        self.page_break()

    def table(self, columns: list[str], rows: list[list], show_header: bool = True):
        """A grid table; cells are filled through the cell list, which is much faster than `cell()`."""
        self.flush()
        values = ([columns] if show_header else []) + rows
        table = self.doc.add_table(rows=len(values), cols=len(columns))
        table.style = self.style["Table Grid"]
        cells, width = table._cells, len(columns)
        for i, row in enumerate(values):
            for j, value in enumerate(row):
                run = cells[i * width + j].paragraphs[0].add_run("" if value is None else str(value))
                if show_header and i == 0:
                    run.bold = True
        if show_header:
            _repeat_header(table.rows[0])
        return table

    def page_break(self) -> None:
        r = etree.SubElement(self.add(), _W + "r")
        etree.SubElement(r, _W + "br").set(_W + "type", "page")

    def save(self, path: str | Path) -> None:
        self.flush()
        buffer = io.BytesIO()
        self.doc.save(buffer)
        write_atomically(path, buffer.getvalue())

    # --- page numbers ------------------------------------------------------------------------------

    def _page_numbers(self) -> None:
        footer = self.doc.sections[0].footer
        paragraph = footer.paragraphs[0]
        paragraph.alignment = 1  # centre
        p = paragraph._p
        self.run(p, "Page ")
        _field(p, "PAGE", "1")
        self.run(p, " of ")
        _field(p, "NUMPAGES", "1")


def _field(p, instruction: str, placeholder: str) -> None:
    """A complex field (begin, instruction, separate, result, end) in its own runs of `w:p` p."""
    def run_with(child):
        r = OxmlElement("w:r")
        r.append(child)
        p.append(r)

    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    begin.set(qn("w:dirty"), "true")
    run_with(begin)
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    run_with(instr)
    sep = OxmlElement("w:fldChar")
    sep.set(qn("w:fldCharType"), "separate")
    run_with(sep)
    text = OxmlElement("w:t")
    text.text = placeholder
    run_with(text)
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    run_with(end)


def _repeat_header(row) -> None:
    """Repeat a table's header row on every page it spans."""
    tr_pr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    tr_pr.append(el)
