# SPDX-License-Identifier: Apache-2.0
# Writes the small .npy/.npz/.bvh fixtures of tests/motion/ with the Python standard library only
# (struct, zipfile, pickle, math; no NumPy). Run from this directory: python3 make_fixtures.py
import math
import pickle
import struct
import zipfile


def npy_bytes(descr, shape, values, fmt, fortran=False, version=1):
    shape_txt = "(" + "".join("%d, " % s for s in shape).rstrip(" ") + ")"
    if len(shape) > 1:
        shape_txt = "(" + ", ".join(str(s) for s in shape) + ")"
    header = "{'descr': '%s', 'fortran_order': %s, 'shape': %s, }" % (
        descr, "True" if fortran else "False", shape_txt)
    lenfmt = "<H" if version == 1 else "<I"
    pre = 10 if version == 1 else 12
    pad = 64 - (pre + len(header) + 1) % 64
    header = header + " " * pad + "\n"
    out = b"\x93NUMPY" + bytes([version, 0]) + struct.pack(lenfmt, len(header)) + header.encode()
    return out + b"".join(struct.pack(fmt, v) for v in values)


def write(name, data):
    with open(name, "wb") as f:
        f.write(data)


def npy_fixtures():
    write("f8_c.npy", npy_bytes("<f8", (2, 3), [0.5, 1, 2, 3, 4, 5.25], "<d"))
    # C matrix [[0, 1, 2], [3, 4, 5]] stored column-major
    write("f4_fortran.npy", npy_bytes("<f4", (2, 3), [0, 3, 1, 4, 2, 5], "<f", fortran=True))
    write("i8_v2.npy", npy_bytes("<i8", (4,), [-2, -1, 0, 7], "<q", version=2))
    write("i4_v3.npy", npy_bytes("<i4", (2, 2), [1, -2, 3, 2147483647], "<i", version=3))
    write("scalar.npy", npy_bytes("<f8", (), [2.5], "<d"))
    obj = npy_bytes("|O", (), [], "<d") + pickle.dumps(["never", "unpickled"], protocol=3)
    write("object.npy", obj)
    good = npy_bytes("<f8", (2, 3), [0, 1, 2, 3, 4, 5], "<d")
    write("bad_magic.npy", b"\x93NUMPZ" + good[6:])
    write("truncated_header.npy", good[:40])
    write("truncated_data.npy", good[:-8])
    write("wrong_dtype.npy", npy_bytes(">f8", (2,), [1, 2], ">d"))
    with zipfile.ZipFile("small.npz", "w", zipfile.ZIP_STORED) as z:
        z.writestr("a.npy", npy_bytes("<f8", (3, 2), [1, 2, 3, 4, 5, 6], "<d"))
        z.writestr("rate.npy", npy_bytes("<f8", (), [30.0], "<d"))
        z.writestr("notes.npy", obj)
    with zipfile.ZipFile("deflated.npz", "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("a.npy", good)


def rot(axis, deg):
    c, s = math.cos(math.radians(deg)), math.sin(math.radians(deg))
    if axis == "X":
        return [[1, 0, 0], [0, c, -s], [0, s, c]]
    if axis == "Y":
        return [[c, 0, s], [0, 1, 0], [-s, 0, c]]
    return [[c, -s, 0], [s, c, 0], [0, 0, 1]]


def mul(a, b):
    return [[sum(a[i][k] * b[k][j] for k in range(3)) for j in range(3)] for i in range(3)]


def zxy_to_xyz(z, x, y):
    """Angles (a, b, c) with Rz(z) Rx(x) Ry(y) == Rx(a) Ry(b) Rz(c), degrees."""
    m = mul(mul(rot("Z", z), rot("X", x)), rot("Y", y))
    b = math.asin(max(-1.0, min(1.0, m[0][2])))
    a = math.atan2(-m[1][2], m[2][2])
    c = math.atan2(-m[0][1], m[0][0])
    return [math.degrees(v) for v in (a, b, c)]


CHAIN = """HIERARCHY
ROOT hips
{{
  OFFSET 0 0 0
  CHANNELS 6 Xposition Yposition Zposition {r}
  JOINT upper
  {{
    OFFSET 0 10 0
    CHANNELS 3 {r}
    JOINT lower
    {{
      OFFSET 2 10 -1
      CHANNELS 3 {r}
      End Site
      {{
        OFFSET 0 5 0
      }}
    }}
  }}
}}
MOTION
Frames: {n}
Frame Time: 0.0333333
"""


def bvh_fixtures():
    # per frame: root position, then (z, x, y) degrees for hips, upper, lower
    frames = [
        [(1, 2, 3), (10, 20, 30), (-40, 15, 5), (25, -60, 80)],
        [(1.5, 2, 2.5), (95, -30, 170), (0, 89, 0), (-120, 45, 10)],
        [(0, 0, 0), (0, 0, 0), (0, 0, 0), (0, 0, 0)],
    ]
    zxy = CHAIN.format(r="Zrotation Xrotation Yrotation", n=len(frames))
    xyz = CHAIN.format(r="Xrotation Yrotation Zrotation", n=len(frames))
    for fr in frames:
        zxy += " ".join("%.10f" % v for v in list(fr[0]) + [a for r in fr[1:] for a in r]) + "\n"
        xyz += " ".join("%.10f" % v for v in list(fr[0]) + [a for r in fr[1:] for a in zxy_to_xyz(*r)]) + "\n"
    write("chain_zxy.bvh", zxy.encode())
    write("chain_xyz.bvh", xyz.encode())


npy_fixtures()
bvh_fixtures()
