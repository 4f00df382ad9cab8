#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Writes the bundled test models under models/ (Sinew JSON model format v1).

    python3 tools/gen_models.py [--out models]

Plain Python, no dependencies. The models are synthetic (no external source, same licence as
Sinew). Inertias are those of solid capsules, boxes and spheres of the stated masses; limbs hang
along -z, x points forward and y to the body's left (z up, MuJoCo conventions).
"""

import argparse
import json
import math
import os

PI = math.pi


def num(x):
    """Rounds to 12 significant digits: removes float noise (0.30000000000000004) only."""
    return float(f"{x:.12g}")


def clean(o):
    if isinstance(o, dict):
        return {k: clean(v) for k, v in o.items()}
    if isinstance(o, (list, tuple)):
        return [clean(v) for v in o]
    if isinstance(o, float):
        return num(o)
    return o


def simple(o):
    """True for values without arrays of objects (those get one element per line)."""
    if isinstance(o, list):
        return all(not isinstance(v, dict) and simple(v) for v in o)
    if isinstance(o, dict):
        return all(simple(v) for v in o.values())
    return True


def dumps(o, indent=0, prefix=0, width=100):
    """JSON with short simple values on one line, everything else indented by 2. `prefix` is the
    length of the key already written on the first line."""
    pad = " " * indent
    flat = json.dumps(o)
    if len(flat) + indent + prefix <= width and simple(o):
        return flat
    if isinstance(o, list):
        items = [pad + "  " + dumps(v, indent + 2, 0, width) for v in o]
        return "[\n" + ",\n".join(items) + "\n" + pad + "]"
    if isinstance(o, dict):
        items = [pad + "  " + json.dumps(k) + ": " + dumps(v, indent + 2, len(k) + 4, width)
                 for k, v in o.items()]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    return flat


# --- inertia of solid shapes (principal moments about the centre of mass) -----------------------

def capsule_inertia(m, r, length, axis="z"):
    """Solid capsule: cylinder of `length` between the hemisphere centres, radius r."""
    vc = PI * r * r * length
    vs = 4.0 / 3.0 * PI * r ** 3
    mc, ms = m * vc / (vc + vs), m * vs / (vc + vs)
    axial = mc * r * r / 2 + ms * 2 * r * r / 5
    trans = mc * (r * r / 4 + length * length / 12) + ms * (
        2 * r * r / 5 + length * length / 4 + 3 * length * r / 8)
    return {"x": [axial, trans, trans], "y": [trans, axial, trans],
            "z": [trans, trans, axial]}[axis]


def box_inertia(m, hx, hy, hz):
    return [m / 3 * (hy * hy + hz * hz), m / 3 * (hx * hx + hz * hz), m / 3 * (hx * hx + hy * hy)]


def sphere_inertia(m, r):
    i = 2.0 / 5.0 * m * r * r
    return [i, i, i]


# --- document helpers ---------------------------------------------------------------------------

def document(name, worldbody, option=None, keyframes=None, description=""):
    doc = {"format": "sinew-model", "version": 1, "name": name,
           "meta": {"description": " ".join(description.split()),
                    "source": "synthetic, written by tools/gen_models.py", "license": "Apache-2.0"}}
    if option:
        doc["option"] = option
    doc["worldbody"] = worldbody
    if keyframes:
        doc["keyframes"] = keyframes
    return clean(doc)


def hinge(name, axis, rng=None, **kw):
    j = {"name": name, "type": "hinge", "axis": list(axis)}
    if rng is not None:
        j["range"] = list(rng)
    j.update(kw)
    return j


def body(name, pos, joints=(), mass=None, inertia=None, ipos=(0, 0, 0), geoms=(), sites=(),
         children=()):
    b = {"name": name, "pos": list(pos)}
    if mass is not None:
        b["inertial"] = {"mass": mass, "pos": list(ipos), "diaginertia": list(inertia)}
    if joints:
        b["joints"] = list(joints)
    if geoms:
        b["geoms"] = list(geoms)
    if sites:
        b["sites"] = list(sites)
    if children:
        b["bodies"] = list(children)
    return b


def floor(size=(20, 20, 0.5)):
    return {"name": "floor", "type": "plane", "size": list(size)}


def lowest_point(b, origin=(0.0, 0.0, 0.0), only_colliding=True):
    """Lowest z of the geoms of a tree whose bodies all have identity orientation."""
    p = [origin[i] + b["pos"][i] for i in range(3)]
    low = math.inf
    for g in b.get("geoms", []):
        if only_colliding and g.get("contype", 1) == 0 and g.get("conaffinity", 1) == 0:
            continue
        if "fromto" in g:
            f = g["fromto"]
            low = min(low, p[2] + min(f[2], f[5]) - g["size"][0])
        else:
            c = p[2] + g.get("pos", [0, 0, 0])[2]
            half = {"sphere": g["size"][0], "box": g["size"][-1],
                    "capsule": g["size"][0] + g["size"][-1]}[g["type"]]
            low = min(low, c - half)
    for c in b.get("bodies", []):
        low = min(low, lowest_point(c, p, only_colliding))
    return low


# --- models -------------------------------------------------------------------------------------

def pendulum():
    """Physical pendulum: 1 kg bob on a 0.5 m rod, hinge about y at 1 m height."""
    L, m, r_bob = 0.5, 1.0, 0.05
    pole = body("pole", (0, 0, 1.0),
                joints=[hinge("hinge", (0, 1, 0))],
                mass=m, ipos=(0, 0, -L), inertia=sphere_inertia(m, r_bob),
                geoms=[{"name": "rod", "type": "capsule", "fromto": [0, 0, 0, 0, 0, -L],
                        "size": [0.01], "contype": 0, "conaffinity": 0},
                       {"name": "bob", "type": "sphere", "pos": [0, 0, -L], "size": [r_bob],
                        "contype": 0, "conaffinity": 0}],
                sites=[{"name": "tip", "pos": [0, 0, -L - r_bob]}])
    world = {"sites": [{"name": "pivot", "pos": [0, 0, 1.0]}], "bodies": [pole]}
    return document("pendulum", world, option={"timestep": 0.001},
                    keyframes=[{"name": "release_0.05rad", "qpos": [0.05]},
                               {"name": "horizontal", "qpos": [PI / 2]}],
                    description=pendulum.__doc__)


def chain10():
    """10-link hinge chain: 0.1 m, 1 kg capsule links, every hinge axis along y, first joint
    attached to the world at the origin; no damping, limits or contacts."""
    L, r, m, n = 0.1, 0.01, 1.0, 10
    inertia = capsule_inertia(m, r, L - 2 * r)
    child = None
    for i in reversed(range(n)):
        b = body(f"link{i}", (0, 0, 0 if i == 0 else -L),
                 joints=[hinge(f"hinge{i}", (0, 1, 0))],
                 mass=m, ipos=(0, 0, -L / 2), inertia=inertia,
                 geoms=[{"name": f"capsule{i}", "type": "capsule",
                         "fromto": [0, 0, -r, 0, 0, -L + r], "size": [r], "contype": 0,
                         "conaffinity": 0}],
                 children=[child] if child else ())
        if i == n - 1:
            b["sites"] = [{"name": "tip", "pos": [0, 0, -L]}]
        child = b
    return document("chain10", {"bodies": [child]},
                    keyframes=[{"name": "bent45", "qpos": [PI / 4] * n}],
                    description=chain10.__doc__)


def box_on_plane():
    """A 1 kg, 0.2 m box with a free joint above a plane, tilted so that it lands on an edge."""
    h, m = 0.1, 1.0
    box = {"name": "box", "pos": [0, 0, 0.5], "euler": [0.5, 0.3, 0.0],
           "joints": [{"name": "free", "type": "free"}],
           "inertial": {"mass": m, "pos": [0, 0, 0], "diaginertia": box_inertia(m, h, h, h)},
           "geoms": [{"name": "box", "type": "box", "size": [h, h, h]}],
           "sites": [{"name": "corner", "pos": [h, h, h]}]}
    return document("box_on_plane", {"geoms": [floor((5, 5, 0.1))], "bodies": [box]},
                    keyframes=[{"name": "resting", "qpos": [0, 0, h, 1, 0, 0, 0]}],
                    description=box_on_plane.__doc__)


# humanoid30 contact classes (a pair collides when contype1 & conaffinity2 or contype2 &
# conaffinity1 is non-zero): the floor touches every geom; the hands also touch the trunk and the
# thighs; the legs touch the other leg. Parent-child pairs are always excluded.
FLOOR = {"contype": 1, "conaffinity": 0}
ARM = {"contype": 0, "conaffinity": 1}
HAND = {"contype": 2, "conaffinity": 1}
TRUNK = {"contype": 0, "conaffinity": 3}
THIGH = {"contype": 4, "conaffinity": 7}
SHIN = {"contype": 4, "conaffinity": 5}
FOOT = {"contype": 0, "conaffinity": 1}


def capsule_z(name, length, r, top=0.0, cls=ARM):
    return dict({"name": name, "type": "capsule", "fromto": [0, 0, -top, 0, 0, -top - length],
                 "size": [r]}, **cls)


def humanoid30():
    """~71 kg humanoid-like tree with 30 dofs: free pelvis, ball lumbar/neck/shoulders/hips,
    hinge elbows/knees/ankles, joint limits, damping and armature, a plane floor."""
    def arm(side):
        s = 1 if side == "left" else -1
        forearm = body(f"{side}_forearm", (0, 0, -0.3),
                       joints=[hinge(f"{side}_elbow", (0, -1, 0), (-0.05, 2.6), damping=1.0,
                                     armature=0.006)],
                       mass=1.7, ipos=(0, 0, -0.15),
                       inertia=capsule_inertia(1.7, 0.035, 0.25),
                       geoms=[capsule_z(f"{side}_forearm", 0.25, 0.035),
                              dict({"name": f"{side}_hand", "type": "sphere",
                                    "pos": [0, 0, -0.3], "size": [0.045]}, **HAND)],
                       sites=[{"name": f"{side}_hand", "pos": [0, 0, -0.3]}])
        return body(f"{side}_upper_arm", (0, s * 0.21, 0.38),
                    joints=[{"name": f"{side}_shoulder", "type": "ball", "range": [0, 2.0],
                             "damping": 2.0, "armature": 0.01}],
                    mass=2.0, ipos=(0, 0, -0.14), inertia=capsule_inertia(2.0, 0.04, 0.28),
                    geoms=[capsule_z(f"{side}_upper_arm", 0.28, 0.04)], children=[forearm])

    def leg(side):
        s = 1 if side == "left" else -1
        foot = body(f"{side}_foot", (0, 0, -0.43),
                    joints=[hinge(f"{side}_ankle", (0, -1, 0), (-0.7, 0.5), damping=2.0,
                                  armature=0.008)],
                    mass=1.2, ipos=(0.04, 0, -0.035), inertia=box_inertia(1.2, 0.1, 0.045, 0.025),
                    geoms=[dict({"name": f"{side}_foot", "type": "box", "pos": [0.04, 0, -0.035],
                                 "size": [0.1, 0.045, 0.025]}, **FOOT)],
                    sites=[{"name": f"{side}_toe", "pos": [0.14, 0, -0.06]}])
        shin = body(f"{side}_shin", (0, 0, -0.43),
                    joints=[hinge(f"{side}_knee", (0, 1, 0), (-0.05, 2.6), damping=3.0,
                                  armature=0.01)],
                    mass=3.5, ipos=(0, 0, -0.2), inertia=capsule_inertia(3.5, 0.045, 0.4),
                    geoms=[capsule_z(f"{side}_shin", 0.4, 0.045, cls=SHIN)], children=[foot])
        return body(f"{side}_thigh", (0, s * 0.09, -0.05),
                    joints=[{"name": f"{side}_hip", "type": "ball", "range": [0, 1.6],
                             "damping": 5.0, "armature": 0.02}],
                    mass=9.0, ipos=(0, 0, -0.2), inertia=capsule_inertia(9.0, 0.06, 0.4),
                    geoms=[capsule_z(f"{side}_thigh", 0.4, 0.06, cls=THIGH)], children=[shin])

    head = body("head", (0, 0, 0.45),
                joints=[{"name": "neck", "type": "ball", "range": [0, 0.9], "damping": 1.0,
                         "stiffness": 10.0, "armature": 0.01}],
                mass=5.0, ipos=(0, 0, 0.12), inertia=sphere_inertia(5.0, 0.1),
                geoms=[dict({"name": "head", "type": "sphere", "pos": [0, 0, 0.12],
                             "size": [0.1]}, **TRUNK)],
                sites=[{"name": "head_top", "pos": [0, 0, 0.22]}])
    torso = body("torso", (0, 0, 0.1),
                 joints=[{"name": "lumbar", "type": "ball", "range": [0, 0.8], "damping": 5.0,
                          "stiffness": 50.0, "armature": 0.02}],
                 mass=20.0, ipos=(0, 0, 0.2), inertia=capsule_inertia(20.0, 0.12, 0.3),
                 geoms=[dict({"name": "torso", "type": "capsule",
                              "fromto": [0, 0, 0.05, 0, 0, 0.35], "size": [0.12]}, **TRUNK)],
                 children=[head, arm("left"), arm("right")])
    pelvis = body("pelvis", (0, 0, 1.0),
                  joints=[{"name": "root", "type": "free"}],
                  mass=11.0, inertia=capsule_inertia(11.0, 0.09, 0.18, axis="y"),
                  geoms=[dict({"name": "pelvis", "type": "capsule",
                               "fromto": [0, -0.09, 0, 0, 0.09, 0], "size": [0.09]}, **TRUNK)],
                  children=[torso, leg("left"), leg("right")])
    # stand: feet 5 mm above the floor, elbows slightly bent
    z = pelvis["pos"][2] - lowest_point(pelvis) + 0.005
    qpos = [0, 0, z, 1, 0, 0, 0] + [1, 0, 0, 0] * 2  # root, lumbar, neck
    qpos += [1, 0, 0, 0, 0.3] * 2  # shoulders and elbows
    qpos += [1, 0, 0, 0, 0.0, 0.0] * 2  # hips, knees, ankles
    return document("humanoid30", {"geoms": [dict(floor(), **FLOOR)], "bodies": [pelvis]},
                    keyframes=[{"name": "stand", "qpos": qpos}], description=humanoid30.__doc__)


# tree85: the feet (sole capsules) and the main segments collide with the floor only (no
# self-collision); clavicles, fingers and thumbs are for display.
SHOW = {"contype": 0, "conaffinity": 0}
SOLE = {"contype": 1, "conaffinity": 0}
SEGMENT = {"contype": 1, "conaffinity": 0}


def link(name, pos, joints, mass, length, r, children=(), geoms=None, armature=0.01,
         damping=0.5, ipos=None, cls=SEGMENT):
    """A segment hanging along -z from its joint: capsule geom and inertia."""
    for j in joints:
        j.setdefault("armature", armature)
        j.setdefault("damping", damping)
    return body(name, pos, joints=joints, mass=mass,
                ipos=ipos if ipos is not None else (0, 0, -length / 2),
                inertia=capsule_inertia(mass, r, max(length - 2 * r, 1e-3)),
                geoms=geoms if geoms is not None else [capsule_z(name, length, r, cls=cls)],
                children=children)


def tree85():
    """85-dof tree shaped like MS-Human-700's skeleton: pelvis with 3 slide + 3 hinge root joints,
    legs (hip 3, knee, ankle, subtalar, mtp), 2 spine bodies x 3, neck 3, arms (clavicle,
    shoulder 3, elbow, pronation, wrist 2) and hands with 4-dof fingers and thumb."""
    def leg(side):
        s = 1 if side == "left" else -1
        toes = link(f"toes_{side}", (0.16, 0, -0.03),
                    [hinge(f"mtp_angle_{side}", (0, -1, 0), (-0.5, 0.9))], 0.2, 0.0, 0.015,
                    geoms=[dict({"name": f"toes_{side}", "type": "capsule",
                                 "fromto": [0.03, -0.03, 0, 0.03, 0.03, 0], "size": [0.015]},
                                **SOLE)],
                    ipos=(0.03, 0, 0), armature=0.005)
        calcn = link(f"calcn_{side}", (0, 0, -0.04),
                     [hinge(f"subtalar_angle_{side}", (1, 0, 0), (-0.35, 0.35))], 1.0, 0.0, 0.04,
                     geoms=[dict({"name": f"heel_{side}", "type": "capsule",
                                  "fromto": [-0.02, -0.025, -0.03, -0.02, 0.025, -0.03],
                                  "size": [0.02]}, **SOLE),
                            dict({"name": f"ball_{side}", "type": "capsule",
                                  "fromto": [0.13, -0.035, -0.03, 0.13, 0.035, -0.03],
                                  "size": [0.02]}, **SOLE)],
                     ipos=(0.06, 0, -0.02), children=[toes])
        talus = link(f"talus_{side}", (0, 0, -0.43),
                     [hinge(f"ankle_angle_{side}", (0, -1, 0), (-0.7, 0.52))], 0.1, 0.0, 0.02,
                     geoms=[], ipos=(0, 0, 0), children=[calcn])
        tibia = link(f"tibia_{side}", (0, 0, -0.42),
                     [hinge(f"knee_angle_{side}", (0, 1, 0), (-0.1, 2.4))], 3.5, 0.43, 0.045,
                     children=[talus], damping=2.0)
        return link(f"femur_{side}", (0, s * 0.085, -0.07),
                    [hinge(f"hip_flexion_{side}", (0, -1, 0), (-0.52, 2.09)),
                     hinge(f"hip_adduction_{side}", (-s, 0, 0), (-0.52, 0.52)),
                     hinge(f"hip_rotation_{side}", (0, 0, s), (-0.7, 0.7))],
                    8.5, 0.42, 0.06, children=[tibia], damping=2.0)

    def finger(side, k, x):
        s = 1 if side == "left" else -1
        d = link(f"distal_{k}_{side}", (0, 0, -0.03),
                 [hinge(f"dip_{k}_{side}", (1, 0, 0), (-0.05, 1.4))], 0.008, 0.02, 0.008,
                 armature=0.001, damping=0.02, cls=SHOW)
        mid = link(f"middle_{k}_{side}", (0, 0, -0.045),
                   [hinge(f"pip_{k}_{side}", (1, 0, 0), (-0.05, 1.9))], 0.012, 0.028, 0.009,
                   children=[d], armature=0.001, damping=0.02, cls=SHOW)
        return link(f"proximal_{k}_{side}", (x, 0, -0.09),
                    [hinge(f"mcp_flexion_{k}_{side}", (1, 0, 0), (-0.3, 1.6)),
                     hinge(f"mcp_abduction_{k}_{side}", (0, s, 0), (-0.35, 0.35))],
                    0.025, 0.045, 0.009, children=[mid], armature=0.001, damping=0.02,
                    cls=SHOW)

    def thumb(side):
        s = 1 if side == "left" else -1
        d = link(f"thumb_distal_{side}", (0, 0, -0.03),
                 [hinge(f"thumb_ip_{side}", (1, 0, 0), (-0.2, 1.4))], 0.01, 0.025, 0.009,
                 armature=0.001, damping=0.02, cls=SHOW)
        p = link(f"thumb_proximal_{side}", (0, 0, -0.04),
                 [hinge(f"thumb_mcp_{side}", (1, 0, 0), (-0.1, 1.0))], 0.015, 0.03, 0.009,
                 children=[d], armature=0.001, damping=0.02, cls=SHOW)
        return link(f"thumb_metacarpal_{side}", (0.045, s * 0.01, -0.02),
                    [hinge(f"thumb_cmc_flexion_{side}", (1, 0, 0), (-0.5, 0.5)),
                     hinge(f"thumb_cmc_abduction_{side}", (0, s, 0), (-0.5, 0.5))],
                    0.03, 0.04, 0.011, children=[p], armature=0.001, damping=0.02,
                    cls=SHOW)

    def arm(side):
        s = 1 if side == "left" else -1
        fingers = [finger(side, k, x) for k, x in
                   zip(("index", "middle", "ring", "little"), (0.03, 0.01, -0.01, -0.03))]
        hand = link(f"hand_{side}", (0, 0, -0.26),
                    [hinge(f"wrist_deviation_{side}", (s, 0, 0), (-0.4, 0.4)),
                     hinge(f"wrist_flexion_{side}", (0, 1, 0), (-1.2, 1.2))],
                    0.3, 0.09, 0.01, armature=0.005, damping=0.1,
                    geoms=[dict({"name": f"palm_{side}", "type": "box", "pos": [0, 0, -0.045],
                                 "size": [0.04, 0.01, 0.045]}, **SEGMENT)],
                    children=fingers + [thumb(side)])
        hand["sites"] = [{"name": f"hand_{side}", "pos": [0, 0, -0.09]}]
        radius = link(f"radius_{side}", (0, s * 0.01, 0),
                      [hinge(f"pro_sup_{side}", (0, 0, 1), (-1.4, 1.4))], 0.6, 0.25, 0.03,
                      children=[hand], armature=0.005)
        ulna = link(f"ulna_{side}", (0, 0, -0.3),
                    [hinge(f"elbow_flexion_{side}", (0, -1, 0), (-0.05, 2.5))], 0.8, 0.25, 0.03,
                    children=[radius])
        humerus = link(f"humerus_{side}", (0, s * 0.17, 0),
                       [hinge(f"shoulder_flexion_{side}", (0, -1, 0), (-1.0, 3.0)),
                        hinge(f"shoulder_abduction_{side}", (s, 0, 0), (-0.3, 2.6)),
                        hinge(f"shoulder_rotation_{side}", (0, 0, 1), (-1.2, 1.2))],
                       2.0, 0.28, 0.04, children=[ulna], damping=1.0)
        clav = body(f"clavicle_{side}", (0, s * 0.03, 0.25),
                    joints=[hinge(f"sternoclavicular_{side}", (s, 0, 0), (-0.2, 0.5),
                                  damping=1.0, armature=0.01)],
                    mass=0.2, ipos=(0, s * 0.08, 0),
                    inertia=capsule_inertia(0.2, 0.015, 0.15, axis="y"),
                    geoms=[dict({"name": f"clavicle_{side}", "type": "capsule",
                                 "fromto": [0, 0, 0, 0, s * 0.15, 0], "size": [0.015]}, **SHOW)],
                    children=[humerus])
        return clav

    def up(name, pos, joints, mass, length, r, children=(), **kw):
        """A segment rising along +z from its joint."""
        b = link(name, pos, joints, mass, length, r, children=children, ipos=(0, 0, length / 2),
                 geoms=[dict({"name": name, "type": "capsule",
                              "fromto": [0, 0, 0, 0, 0, length], "size": [r]}, **SEGMENT)],
                 **kw)
        return b

    head = body("head", (0, 0, 0.32),
                joints=[hinge("neck_flexion", (0, 1, 0), (-0.8, 0.8), damping=1.0, armature=0.01),
                        hinge("neck_bending", (1, 0, 0), (-0.6, 0.6), damping=1.0, armature=0.01),
                        hinge("neck_rotation", (0, 0, 1), (-1.2, 1.2), damping=1.0,
                              armature=0.01)],
                mass=5.0, ipos=(0, 0, 0.12), inertia=sphere_inertia(5.0, 0.1),
                geoms=[dict({"name": "head", "type": "sphere", "pos": [0, 0, 0.12],
                             "size": [0.1]}, **SEGMENT)],
                sites=[{"name": "head_top", "pos": [0, 0, 0.22]}])
    thorax = up("thorax", (0, 0, 0.2),
                [hinge("thoracic_extension", (0, 1, 0), (-0.3, 0.3)),
                 hinge("thoracic_bending", (1, 0, 0), (-0.3, 0.3)),
                 hinge("thoracic_rotation", (0, 0, 1), (-0.3, 0.3))],
                20.0, 0.3, 0.13, children=[head, arm("left"), arm("right")], damping=5.0,
                armature=0.02)
    lumbar = up("lumbar", (-0.03, 0, 0.08),
                [hinge("lumbar_extension", (0, 1, 0), (-0.5, 0.5)),
                 hinge("lumbar_bending", (1, 0, 0), (-0.4, 0.4)),
                 hinge("lumbar_rotation", (0, 0, 1), (-0.4, 0.4))],
                5.0, 0.2, 0.1, children=[thorax], damping=5.0, armature=0.02)
    root = [{"name": "pelvis_tx", "type": "slide", "axis": [1, 0, 0]},
            {"name": "pelvis_ty", "type": "slide", "axis": [0, 1, 0]},
            {"name": "pelvis_tz", "type": "slide", "axis": [0, 0, 1]},
            {"name": "pelvis_tilt", "type": "hinge", "axis": [0, 1, 0]},
            {"name": "pelvis_list", "type": "hinge", "axis": [1, 0, 0]},
            {"name": "pelvis_rotation", "type": "hinge", "axis": [0, 0, 1]}]
    pelvis = body("pelvis", (0, 0, 1.0), joints=root, mass=11.0,
                  inertia=capsule_inertia(11.0, 0.1, 0.16, axis="y"),
                  geoms=[dict({"name": "pelvis", "type": "capsule",
                               "fromto": [0, -0.08, 0, 0, 0.08, 0], "size": [0.1]}, **SEGMENT)],
                  children=[leg("left"), leg("right"), lumbar])
    # place the soles 5 mm above the floor at qpos0, so "stand" is qpos0
    pelvis["pos"][2] = pelvis["pos"][2] - lowest_point(pelvis) + 0.005
    return document("tree85", {"geoms": [floor()], "bodies": [pelvis]},
                    keyframes=[{"name": "stand"}], description=tree85.__doc__)


MODELS = {"pendulum": pendulum, "chain10": chain10, "box_on_plane": box_on_plane,
          "humanoid30": humanoid30, "tree85": tree85}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "..", "models"))
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    for name, make in MODELS.items():
        path = os.path.join(args.out, name + ".json")
        with open(path, "w") as f:
            f.write(dumps(make()) + "\n")
        print("wrote", os.path.normpath(path))


if __name__ == "__main__":
    main()
