"""QR codes as crisp inline SVG, sized in millimetres so that they print and scan the same."""

from __future__ import annotations

import re

import qrcode
import qrcode.image.svg
from markupsafe import Markup

QUIET_ZONE = 4  # modules of white border on every side, as the QR standard asks


MIN_MODULE_MM = 0.4  # about 2.4 pixels at 150 dpi: still read by phone cameras and zbar


def svg(data: str, *, module_mm: float = 0.5, label: str = "", max_mm: float = 0.0) -> Markup:
    """An ``<svg>`` element encoding `data`, each module `module_mm` wide, quiet zone included;
    with `max_mm`, modules shrink (not below `MIN_MODULE_MM`) to keep the code that wide.

    0.5 mm modules are about three pixels at 150 dpi and comfortably above what phone cameras
    need from a sheet held at arm's length.
    """
    code = qrcode.QRCode(
        border=QUIET_ZONE,
        error_correction=qrcode.constants.ERROR_CORRECT_M,
        image_factory=qrcode.image.svg.SvgPathImage,
    )
    code.add_data(data)
    code.make(fit=True)
    drawn = code.make_image().to_string(encoding="unicode")
    found = re.search(r'<path[^>]* d="([MHVz0-9.,\s-]*)"', drawn)  # geometry only, never `data`
    if found is None:
        raise ValueError("qrcode drew no path")
    path = found.group(1)
    side = code.modules_count + 2 * QUIET_ZONE
    if max_mm:
        module_mm = max(MIN_MODULE_MM, min(module_mm, max_mm / side))
    size = f"{side * module_mm:.2f}mm"
    title = f"<title>{Markup.escape(label)}</title>" if label else ""
    return Markup(
        f'<svg class="qr" xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" '
        f'viewBox="0 0 {side} {side}" shape-rendering="crispEdges" role="img">{title}'
        f'<rect width="{side}" height="{side}" fill="#fff"/>'
        f'<path fill="#000" d="{path}"/></svg>'
    )
