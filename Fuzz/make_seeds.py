#!/usr/bin/env python3
"""Writes the seed corpus of each fuzz target into Fuzz/corpus/<target>/.

Run from the repository root: python3 Fuzz/make_seeds.py
The seeds are small, valid or nearly valid inputs that lead the fuzzer into each
parser's structure; inputs the fuzzer later found are added beside them by hand.
"""
import base64
import json
import os
import struct
import zlib

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")


def write(target, name, data):
    folder = os.path.join(root, target)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


def png(width, height, text=True):
    raw = b"".join(b"\x00" + bytes([(x * 7 + y * 3) % 256 for x in range(width * 3)]) for y in range(height))

    def chunk(kind, payload):
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))

    out = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
    if text:
        out += chunk(b"tEXt", b"GPS\x0052.1,4.3")
    return out + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def exif(orientation):
    tiff = b"II*\x00\x08\x00\x00\x00" + b"\x01\x00" + struct.pack("<HHIHH", 0x0112, 3, 1, orientation, 0) + b"\x00" * 4
    payload = b"Exif\x00\x00" + tiff
    return b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload


def jpeg_header(width, height, orientation=None):
    sof = b"\xff\xc0\x00\x11\x08" + struct.pack(">HH", height, width) + b"\x03\x01\x22\x00\x02\x11\x01\x03\x11\x01"
    app0 = b"\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    return b"\xff\xd8" + app0 + (exif(orientation) if orientation else b"") + sof + b"\xff\xda\x00\x02" + b"\x00" * 8 + b"\xff\xd9"


def webp_vp8x(width, height):
    vp8x = b"VP8X" + struct.pack("<I", 10) + b"\x08\x00\x00\x00" + (width - 1).to_bytes(3, "little") + (height - 1).to_bytes(3, "little")
    exif_chunk = b"EXIF" + struct.pack("<I", 6) + b"Exif\x00\x00"
    body = b"WEBP" + vp8x + exif_chunk
    return b"RIFF" + struct.pack("<I", len(body)) + body


def bmp(width, height):
    return b"BM" + struct.pack("<IHHI", 54 + width * height * 3, 0, 0, 54) + struct.pack("<IiiHHIIiiII", 40, width, -height, 1, 24, 0, 0, 0, 0, 0, 0) + b"\x80" * (width * height * 3)


images = {
    "png-8x6": png(8, 6),
    "jpeg-header-orientation-6": jpeg_header(32, 16, 6),
    "jpeg-header": jpeg_header(4, 4),
    "webp-vp8x-exif": webp_vp8x(20, 10),
    "bmp-4x3": bmp(4, 3),
}
for name, data in images.items():
    write("image-header", name, data)
    write("metadata", name, data)
write("image-header", "svg", '<svg xmlns="http://www.w3.org/2000/svg"/>')

# The multipart target: one byte (the chunk size), then a body with the boundary XX.
part = 'Content-Disposition: form-data; name="{}"{}\r\n'
write("multipart", "two-parts", b"\x05--XX\r\n" + part.format("tasks", "").encode() + b"\r\ndetect\r\n--XX\r\n"
      + part.format("image", '; filename="a.jpg"').encode() + b"Content-Type: image/jpeg\r\n\r\n\xff\xd8\r\n--X\r\n--XX--\r\n")
write("multipart", "preamble-padding", b"\x01preamble\r\n--XX \t\r\n" + part.format("a", "; filename*=UTF-8''caf%C3%A9").encode() + b"\r\n\r\n--XX--epilogue")
write("multipart", "content-type-line", b"\x00multipart/form-data; boundary=\"XX\"; charset=utf-8\n--XX\r\n\r\n--XX--")
write("multipart", "issue-8-crash", b"\x07--XX\r\n\xc2\x9b\xf1\r\n\r\nab\r\n--XX--\r\n")

# Tokens: a cursor, a signed link's token shape, API keys.
write("tokens", "cursor", base64.urlsafe_b64encode(b"1733050000000000|0f8fad5b-d9cb-469f-a165-70867728950e").rstrip(b"="))
write("tokens", "signed-link", base64.urlsafe_b64encode(b"ab/cd/abcdef|image/png|1733050000").rstrip(b"=") + b"." + base64.urlsafe_b64encode(bytes(32)).rstrip(b"="))
write("tokens", "api-key", "argus_0123456789ab_" + "s" * 32)
write("tokens", "api-key-multibyte", "argus_" + "é" * 7)

# JSON bodies of the account routes.
for name, body in {
    "signup": {"email": "me@example.com", "password": "a long passphrase"},
    "login": {"username": "me@example.com", "password": "x"},
    "refresh": {"refresh_token": "rt_abc"},
    "api-key": {"name": "ci", "scopes": ["read", "write"], "expires_in_days": 30},
    "update": {"email": "new@example.com", "disabled": True, "role": "admin"},
    "password": {"current_password": "a", "new_password": "b"},
}.items():
    write("json", name, json.dumps(body))
write("json", "form", "username=me%40example.com&password=a+b&x=%ZZ")

# Open Inference Protocol requests (the `inference` target reads the whole input as JSON,
# and the rest after its first byte as a JSON header of that many bytes plus binary data).
request = {"id": "1", "parameters": {"conf": 0.3, "binary_data_output": True},
           "inputs": [{"name": "images", "datatype": "FP32", "shape": [1, 2, 2], "data": [[0.5, 1], [2, 3e-5]]}],
           "outputs": [{"name": "output", "parameters": {"binary_data": False}}]}
write("inference", "json", json.dumps(request))
write("inference", "bytes-and-bools", json.dumps({"inputs": [
    {"name": "image", "datatype": "BYTES", "shape": [2], "data": ["a", "bc"]},
    {"name": "mask", "datatype": "BOOL", "shape": [2], "data": [True, False]},
    {"name": "ids", "datatype": "INT64", "shape": [1], "data": [-9007199254740993]}]}))
header = json.dumps({"inputs": [
    {"name": "image", "datatype": "UINT8", "shape": [1, 1, 3], "parameters": {"binary_data_size": 3}},
    {"name": "text", "datatype": "BYTES", "shape": [1], "parameters": {"binary_data_size": 6}}]}).encode()
write("inference", "binary", bytes([len(header)]) + header + b"\x01\x02\x03" + struct.pack("<I", 2) + b"hi")
write("inference", "min-confidence", "0.45")

# Range headers (first line) and counting zones / live settings messages (the whole input).
write("video", "range-start", "bytes=0-99\n")
write("video", "range-suffix", "bytes=-10")
write("video", "range-open", "bytes=1000-")
write("video", "zones", json.dumps([
    {"name": "crossing", "line": [[0, 330], [768, 330]], "classes": ["person"], "margin": 10},
    {"name": "plaza", "polygon": [[100, 100], [600, 100], [600, 500], [100, 500]], "anchor": "center"}]))
write("video", "live-settings", json.dumps({"conf": 0.4, "classes": ["person", 2], "track_high": 0.5,
    "lost_buffer": 60, "min_hits": 2, "zones": [{"name": "door", "line": [[0, 0], [10, 10]]}], "model": None}))
