#!/usr/bin/env python3
"""Writes src/render/html/world.json, the country shapes of the HTML Events page's map, from the
Natural Earth 1:110m countries (public domain) as the npm package world-atlas 2.0.2 ships them
(`countries-110m.json`, TopoJSON; world-atlas is ISC-licensed, copyright 2013-2019 Michael
Bostock).

    (cd "$(mktemp -d)" && npm pack world-atlas@2.0.2 && tar xzf world-atlas-2.0.2.tgz && pwd)
    python3 testdata/world_map.py DIR/package/countries-110m.json > src/render/html/world.json

Each country becomes `[alpha-2 code, name, SVG path]`: its rings decoded from the topology's
quantized, delta-encoded arcs, cut where they cross the antimeridian (a step of more than 180
degrees of longitude between two points), projected with the Natural Earth projection (d3's
geoNaturalEarth1) into a 960-unit-wide frame, rounded to 0.1 unit, and points that round to the
one before dropped. The page projects its bubbles with the same formula (`naturalEarth` in
app.js) and the same frame (SCALE, X0, Y0 below). The alpha-2 code comes from the ISO numeric
id through testdata/iso_3166-1.json; shapes without one (Kosovo, Northern Cyprus, Somaliland)
get "".
"""
import json
import os
import sys

SCALE = 960 / (2 * 3.141592653589793 * 0.8707)  # the equator's +-180 degrees span 960 units
X0, Y0 = 480.0, 250.0


def natural_earth(lon, lat):
    import math
    lam, phi = math.radians(lon), math.radians(lat)
    p2 = phi * phi
    p4 = p2 * p2
    x = lam * (0.8707 - 0.131979 * p2 + p4 * (-0.013791 + p4 * (0.003971 * p2 - 0.001529 * p4)))
    y = phi * (1.007226 + p2 * (0.015085 + p4 * (-0.044475 + 0.028874 * p2 - 0.005916 * p4)))
    return X0 + SCALE * x, Y0 - SCALE * y


def decode_arcs(topo):
    (sx, sy), (tx, ty) = topo["transform"]["scale"], topo["transform"]["translate"]
    arcs = []
    for arc in topo["arcs"]:
        x = y = 0
        pts = []
        for dx, dy in arc:
            x += dx
            y += dy
            pts.append((x * sx + tx, y * sy + ty))
        arcs.append(pts)
    return arcs


def ring(arcs, indexes):
    pts = []
    for i in indexes:
        a = arcs[i] if i >= 0 else arcs[~i][::-1]
        pts.extend(a if not pts else a[1:])
    return pts


def cut_at_antimeridian(pts):
    """The ring as pieces that never step more than 180 degrees of longitude; each crossing is
    closed at +-180 on both sides at the interpolated latitude."""
    pieces, cur = [], [pts[0]]
    for (x0, y0), (x1, y1) in zip(pts, pts[1:]):
        if abs(x1 - x0) > 180:
            edge = 180 if x0 > 0 else -180
            x1u = x1 + 360 if x0 > 0 else x1 - 360
            # Both points on the antimeridian (a ring already cut there): no step between them.
            t = (edge - x0) / (x1u - x0) if x1u != x0 else 0
            y = y0 + t * (y1 - y0)
            cur.append((edge, y))
            pieces.append(cur)
            cur = [(-edge, y)]
        cur.append((x1, y1))
    pieces.append(cur)
    if len(pieces) > 1:
        # The ring is closed: its last piece continues into its first.
        pieces[0] = pieces.pop() + pieces[0][1:]
    return pieces


def path(rings):
    out = []
    for r in rings:
        last = None
        cmds = []
        for lon, lat in r:
            x, y = natural_earth(lon, lat)
            p = (round(x, 1), round(y, 1))
            if p == last:
                continue
            cmds.append(("M" if last is None else "L") + fmt(p[0]) + "," + fmt(p[1]))
            last = p
        if len(cmds) >= 3:
            out.append("".join(cmds) + "Z")
    return "".join(out)


def fmt(v):
    s = f"{v:.1f}"
    return s[:-2] if s.endswith(".0") else s


def main():
    topo = json.load(open(sys.argv[1], encoding="utf-8"))
    iso = json.load(open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "iso_3166-1.json"), encoding="utf-8"))
    alpha2 = {c["numeric"]: c["alpha_2"] for c in iso["3166-1"]}
    arcs = decode_arcs(topo)
    countries = []
    for g in topo["objects"]["countries"]["geometries"]:
        polys = g["arcs"] if g["type"] == "MultiPolygon" else [g["arcs"]]
        rings = []
        for poly in polys:
            for r in poly:
                rings.extend(cut_at_antimeridian(ring(arcs, r)))
        countries.append([alpha2.get(g.get("id", ""), ""), g["properties"]["name"], path(rings)])
    countries.sort(key=lambda c: (c[1], c[0]))
    sys.stdout.write("[\n" + ",\n".join(json.dumps(c, ensure_ascii=False) for c in countries) + "\n]\n")


main()
