"""Size of each bootstrap and of its deploy zip (deflate, as SAM packs a function), one line each.

Usage: zip_sizes.py BINARY... ; a `bootstrap` is named by its directory (SAM's build layout).
"""
import io
import os
import sys
import zipfile

LIMIT_MB = 8.0

for path in sys.argv[1:]:
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(path, "bootstrap")
    size_mb = os.path.getsize(path) / 1e6
    zipped_mb = len(packed.getvalue()) / 1e6
    name = os.path.basename(path)
    if name == "bootstrap":
        name = os.path.basename(os.path.dirname(path))
    note = "  over the 8 MB goal" if zipped_mb > LIMIT_MB else ""
    print(f"{name:<28} {size_mb:6.1f} MB  zip {zipped_mb:5.1f} MB{note}")
