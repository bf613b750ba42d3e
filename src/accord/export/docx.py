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
from docx.shared import Inches, Pt, RGBColor
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
        self._headings: list[tuple[str, int]] = []
        self._contents: tuple | None = None
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
        level = min(max(level, 1), 9)
        self._headings.append((text, level))  # for the contents page
        return self.paragraph(text, f"Heading {level}")

    @property
    def text_width_in(self) -> float:
        """The width between the page margins, in inches (a figure as wide as the text)."""
        section = self.doc.sections[-1]
        return _text_width(section) / 914400

    def caption(self, label: str, title: str) -> None:
        """An APA table or figure caption above it: the label in bold ("Table 2"), the title in
        italics on the next line, both kept on the page of what they introduce."""
        for text, bold in ((label, True), (title, False)):
            p = self.add()
            props = etree.SubElement(p, _W + "pPr")
            etree.SubElement(props, _W + "keepNext")
            if bold:  # room above, after the note of the table or figure before
                etree.SubElement(props, _W + "spacing").set(_W + "before", "240")
            self.run(p, text, bold=bold, italic=not bold)

    def note(self, text: str, label: str = "Note.") -> None:
        """An APA note under a table or figure: "Note." in italics, then the text."""
        p = self.add("Excerpt Source")
        self.run(p, label, italic=True)
        self.run(p, " " + text)

    def picture(self, png: bytes, width_in: float) -> None:
        """A PNG as an inline picture `width_in` inches wide, in a paragraph of its own."""
        self.flush()
        self.doc.add_picture(io.BytesIO(png), width=Inches(width_in))
        self.doc.paragraphs[-1].paragraph_format.keep_with_next = True  # with its note

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
        """A contents page: the headings down to `levels`, written out as text when the report
        is saved. Not a TOC field: LibreOffice, and Word until someone updates fields, show a
        field's placeholder ("Update Field") instead of the contents."""
        self.paragraph("Contents", "Title")
        self._contents = (self.add(), levels)  # a place-holder paragraph, replaced in `save`
        self.page_break()

    def _write_contents(self) -> None:
        if self._contents is None:
            return
        marker, levels = self._contents
        for text, level in self._headings:
            if level > levels:
                continue
            p = oxml_parser.makeelement(_W + "p")
            props = etree.SubElement(p, _W + "pPr")
            etree.SubElement(props, _W + "spacing").set(_W + "after", "40")
            etree.SubElement(props, _W + "ind").set(_W + "left", str(360 * (level - 1)))
            self.run(p, text, bold=level == 1)
            marker.addprevious(p)
        marker.getparent().remove(marker)
        self._contents = None

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
        self._fit_columns(table, values, bold_first=show_header)
        return table

    def _fit_columns(self, table, values: list[list], bold_first: bool) -> None:
        """Column widths from the text in them, so a name wraps at its spaces, never mid-word.

        python-docx gives every column the same width, and LibreOffice keeps to it, so a code
        name in a narrow first column of a nine-column table broke as "Minima/l/respon/se".
        Each column gets at least its longest word, the rest of the line goes to the columns
        whose text is longest; when even the longest words do not fit, the table's text is set
        smaller (down to MIN_TABLE_PT) until they do. Widths are estimates from character counts (no
        font metrics here), with room to spare for a wide font."""
        section = self.doc.sections[-1]
        line = _text_width(section) / 12700  # points
        size = (self.style["Normal"].font.size or Pt(11)).pt
        columns = len(values[0]) if values else 0
        texts = [["" if v is None else str(v) for v in row] for row in values]
        words = [max((_estimate(w, bold_first and i == 0) for i, row in enumerate(texts)
                      for w in _BREAKS.split(row[j]) if w), default=1.0) for j in range(columns)]
        whole = [max((_estimate(row[j], bold_first and i == 0) for i, row in enumerate(texts)), default=1.0)
                 for j in range(columns)]
        needed = sum(words) * size + columns * CELL_MARGINS
        if needed > line:  # smaller type, so the longest words fit
            size = max(MIN_TABLE_PT, int(2 * size * (line - columns * CELL_MARGINS) / (sum(words) * size)) / 2)
            for cell in table._cells:
                for paragraph in cell.paragraphs:
                    for run in paragraph.runs:
                        run.font.size = Pt(size)
        minimum = [w * size + CELL_MARGINS for w in words]
        wanted = [max(0.0, (h - w) * size) for h, w in zip(whole, words)]
        spare = max(0.0, line - sum(minimum))
        if sum(wanted) <= spare:  # everything fits on one line per cell; the rest to the widest text
            widths = [m + x for m, x in zip(minimum, wanted)]
            rest = line - sum(widths)
            widths = [w + rest * x / sum(wanted) if sum(wanted) else w + rest / columns for w, x in zip(widths, wanted)]
        else:
            widths = [m + spare * x / sum(wanted) for m, x in zip(minimum, wanted)]
        table.autofit = False
        for row in table.rows:  # a row is never split across pages: a figure torn from its code misleads
            etree.SubElement(row._tr.get_or_add_trPr(), _W + "cantSplit")
        for j, width in enumerate(widths):
            table.columns[j].width = Pt(width)
        for i, cell in enumerate(table._cells):
            cell.width = Pt(widths[i % columns])

    def page_break(self) -> None:
        r = etree.SubElement(self.add(), _W + "r")
        etree.SubElement(r, _W + "br").set(_W + "type", "page")

    def save(self, path: str | Path) -> None:
        self.flush()
        self._write_contents()
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


# Left and right cell padding of the Table Grid style (0.08 in each side), in points.
CELL_MARGINS = 11.5
MIN_TABLE_PT = 7.5  # smallest table type: a wide table (codes by seven speaker roles) still fits at it
# Where a line may break: at spaces, after a hyphen ("Meta-/communication") and at a zero-width
# space (put after the underscores of a long name: "session03_/medication_/review"), as Word and
# LibreOffice do; not at a no-break space (which str.split() would split at).
_BREAKS = re.compile(r"[ \t\n\u200b]+|(?<=-)")
ZWSP = "\u200b"


def fact(noun: str, values, prefix: str = "") -> tuple[str, str]:
    """A title-page row naming a plural noun, singular for one value: ("Coder", "consensus"),
    ("Only codes", "Denial, Repair"), so a row never reads "Coders consensus"."""
    values = list(values)
    name = noun[:-1] if len(values) == 1 and noun.endswith("s") else noun
    label = f"{prefix} {name}" if prefix else name.capitalize()
    return label, ", ".join(values) or "none"


def _text_width(section) -> int:
    """EMUs between the page margins (python-docx types each as optional; our template sets them)."""
    width, left, right = section.page_width, section.left_margin, section.right_margin
    assert width is not None and left is not None and right is not None
    return width - left - right


def _estimate(text: str, bold: bool) -> float:
    """Width of `text` in ems, on the generous side: letters average about 0.5 em in Calibri
    and Cambria (Word) but up to 0.65 em in DejaVu (LibreOffice where those are missing), bold
    ones more (DejaVu Serif Bold, LibreOffice's fallback, needs about 0.8); a column is never
    narrower than three letters."""
    return max(len(text), 3) * (0.8 if bold else 0.62)


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
