#!/usr/bin/env python3
"""Makes the four small crops in this folder from the public-domain/CC0 photos of scikit-image's data folder
(see README.md). Usage: make-crops.py PHOTOS_DIR. Tests make their datasets from these crops at test time
(flips, scales, crops: tests/Lucent.Net.Tool.Tests/TestImages.cs), so only these four files are committed."""
import sys
from PIL import Image

src = sys.argv[1]
for name, box, out in [
    ("astronaut.png", (150, 40, 350, 240), "astronaut.png"),
    ("chelsea.png", (100, 60, 300, 260), "chelsea.jpg"),
    ("coffee.png", (150, 80, 450, 380), "coffee.png"),
    ("rocket.jpg", (100, 150, 400, 450), "rocket.jpg"),
]:
    image = Image.open(f"{src}/{name}").convert("RGB").crop(box).resize((64, 64), Image.LANCZOS)
    if out.endswith(".jpg"):
        image.save(out, quality=85)
    else:
        image.save(out, optimize=True)
