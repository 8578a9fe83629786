#!/usr/bin/env python3
"""Fails on a broken internal link of the built book, or of a Markdown file that links into it.

usage: check-links.py <built book dir> [markdown file ...]

In the book, every relative href or src of every page must name a file of the book and, with a
fragment, an element id in that file (mdBook gives each heading one). Links that leave the book
(http:, https:, mailto:) are not followed: the check runs offline. A Markdown file's relative links
must name an existing file, and a `page.md#heading` link a heading of that page's built HTML.
"""

import html.parser
import pathlib
import re
import sys
import urllib.parse


class Page(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids = set()
        self.links = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name == "id" and value:
                self.ids.add(value)
            if name in ("href", "src") and value:
                self.links.append(value)


def is_external(link):
    return bool(re.match(r"^[a-z][a-z0-9+.-]*:", link)) or link.startswith("//")


def parse(path, cache={}):
    if path not in cache:
        page = Page()
        page.feed(path.read_text(encoding="utf-8"))
        cache[path] = page
    return cache[path]


def check_book(book):
    broken = []
    # print.html is every page again, with links mdBook rewrites itself; the pages are what is checked.
    pages = [p for p in book.rglob("*.html") if p.name not in ("print.html", "404.html")]
    for page_path in pages:
        for link in parse(page_path).links:
            if is_external(link):
                continue
            target, _, fragment = link.partition("#")
            target = urllib.parse.unquote(target.split("?")[0])
            file = (page_path.parent / target if target else page_path).resolve()
            if not file.is_file() or book.resolve() not in file.parents:
                broken.append(f"{page_path.relative_to(book)}: {link} (no such file in the book)")
            elif fragment and file.suffix == ".html" and fragment not in parse(file).ids:
                broken.append(f"{page_path.relative_to(book)}: {link} (no such heading)")
    return len(pages), broken


def check_markdown(markdown, book, docs):
    broken = []
    text = markdown.read_text(encoding="utf-8")
    for link in re.findall(r"\]\(([^)\s]+)\)", text):
        if is_external(link):
            continue
        target, _, fragment = link.partition("#")
        file = (markdown.parent / target).resolve() if target else markdown.resolve()
        if not file.exists():
            broken.append(f"{markdown}: {link} (no such file)")
        elif fragment and file.suffix == ".md" and docs in file.parents:
            built = book / file.relative_to(docs).with_suffix(".html")
            if fragment not in parse(built).ids:
                broken.append(f"{markdown}: {link} (no such heading)")
    return broken


def main():
    book = pathlib.Path(sys.argv[1])
    docs = book.resolve().parent
    count, broken = check_book(book)
    for markdown in sys.argv[2:]:
        broken += check_markdown(pathlib.Path(markdown), book, docs)
    for line in broken:
        print(f"broken link: {line}", file=sys.stderr)
    if broken:
        sys.exit(1)
    print(f"links: {count} pages of the book and {len(sys.argv) - 2} other files, none broken")


if __name__ == "__main__":
    main()
