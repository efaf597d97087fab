#!/usr/bin/env python3
"""Validate the paesi procedure catalogue with SHACL.

Usage: validate.py SHARED_DIR PROCEDURES_DIR

Data graph: every PROCEDURES_DIR/*.ttl plus the paesi ontology (PROCEDURES_DIR/../paesi.ttl,
falling back to ontology/paesi.ttl of this repository). Shapes: the CPSV-AP 3.2.0 SHACL file
under SHARED_DIR (corpus/ontologies/cpsv-ap/cpsv-ap-3.2.0-SHACL.ttl, or directly under
SHARED_DIR) and the project's ontology/shapes/paesi-shapes.ttl. Prints the report and exits
0 when the data conforms to both, 1 when it does not, 2 on usage or input errors.
Requires pyshacl (pip install pyshacl).
"""
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CPSV_REL = Path("ontologies/cpsv-ap/cpsv-ap-3.2.0-SHACL.ttl")


def find_cpsv(shared: Path) -> Path:
    for cand in (shared / "corpus" / CPSV_REL, shared / CPSV_REL, shared / CPSV_REL.name):
        if cand.is_file():
            return cand
    hits = sorted(shared.rglob(CPSV_REL.name))
    if hits:
        return hits[0]
    raise FileNotFoundError(f"{CPSV_REL.name} not found under {shared}")


def main(argv):
    if len(argv) != 3:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    try:
        from pyshacl import validate
        from rdflib import Graph
    except ImportError:
        print("pyshacl is required: pip install pyshacl", file=sys.stderr)
        return 2
    shared, procedures = Path(argv[1]), Path(argv[2])
    if not procedures.is_dir():
        print(f"not a directory: {procedures}", file=sys.stderr)
        return 2
    ontology = procedures.parent / "paesi.ttl"
    if not ontology.is_file():
        ontology = REPO / "ontology" / "paesi.ttl"
    files = sorted(procedures.glob("*.ttl"))
    if not files:
        print(f"no .ttl files in {procedures}", file=sys.stderr)
        return 2
    try:
        cpsv = find_cpsv(shared)
    except FileNotFoundError as e:
        print(e, file=sys.stderr)
        return 2
    paesi_shapes = REPO / "ontology" / "shapes" / "paesi-shapes.ttl"

    data = Graph()
    for f in [ontology, *files]:
        try:
            data.parse(f, format="turtle")
        except Exception as e:  # a syntax error is a failure, reported as such
            print(f"cannot parse {f}: {e}")
            return 1
    print(f"data: {len(files)} files from {procedures} + {ontology} ({len(data)} triples)")

    conforms_all = True
    for shapes_file in (cpsv, paesi_shapes):
        shapes = Graph().parse(shapes_file, format="turtle")
        conforms, _, text = validate(data, shacl_graph=shapes, inference="none",
                                     advanced=True, allow_warnings=False)
        print(f"== {shapes_file}: {'conforms' if conforms else 'DOES NOT CONFORM'}")
        if not conforms:
            print(text)
        conforms_all = conforms_all and conforms
    return 0 if conforms_all else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
