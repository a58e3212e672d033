"""Writes examples/feedback.xlsx from examples/feedback.csv: the same rows, typed the way a
spreadsheet types them (timestamps as dates, ratings and scores as numbers, `#VALUE!` as an
error), on a sheet named "Responses", with a second sheet "About".

Run with openpyxl installed in a throw-away virtualenv:

    python3 -m venv /tmp/xlsx-venv && /tmp/xlsx-venv/bin/pip install openpyxl
    /tmp/xlsx-venv/bin/python examples/feedback_xlsx.py
"""

import csv
import datetime
import pathlib

import openpyxl

HERE = pathlib.Path(__file__).parent


def typed(column, text):
    if text == "":
        return None
    if column == 0:
        return datetime.datetime.strptime(text, "%m/%d/%Y %H:%M:%S")
    if text.lstrip("-").isdigit():
        return int(text)
    return text


def main():
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Responses"
    with open(HERE / "feedback.csv", newline="", encoding="utf-8") as f:
        for i, row in enumerate(csv.reader(f)):
            values = row if i == 0 else [typed(c, v) for c, v in enumerate(row)]
            sheet.append(values)
            if i > 0:
                sheet.cell(row=i + 1, column=1).number_format = "m/d/yyyy h:mm:ss"
    about = book.create_sheet("About")
    about.append(["Synthetic Support Ops feedback responses; see examples/feedback.csv"])
    book.properties.creator = "supportops"
    fixed = datetime.datetime(2026, 11, 27, 0, 0, 0)
    book.properties.created = fixed
    book.properties.modified = fixed
    book.save(HERE / "feedback.xlsx")


if __name__ == "__main__":
    main()
