"""A CSV download as Excel in a Japanese office opens it: UTF-8 with a BOM, CRLF line ends."""

from __future__ import annotations

import csv
import io

from flask import Response


def csv_response(rows: list[list], filename: str) -> Response:
    buf = io.StringIO()
    buf.write("\ufeff")  # BOM: Excel in Japanese offices opens UTF-8 correctly only with it
    writer = csv.writer(buf, lineterminator="\r\n")
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return Response(buf.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"',
                             "Content-Type": "text/csv; charset=utf-8"})
