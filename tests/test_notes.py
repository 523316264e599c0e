"""Notes are records (analysis.notes, issue 23 item 4): they keep their fields, refuse values a
template could not use, pickle, and come back equal from the cache codec."""

import json
import pickle

import numpy as np
import pytest

from analysis.run.speed import cache_codec
from analysis.notes import Note, from_record, note


def test_a_note_keeps_its_id_fields_in_order_and_base():
    n = note("workers_allocated", count=2620, units=["jinjiang", "nanan"])
    assert n == Note("workers_allocated", (("count", 2620), ("units", ("jinjiang", "nanan"))))
    assert n.values == {"count": 2620, "units": ("jinjiang", "nanan")}
    assert n.base is None and n.with_base("resident").base == "resident"
    assert len({n, note("workers_allocated", count=2620, units=("jinjiang", "nanan"))}) == 1


def test_bad_ids_bases_and_field_values_are_refused():
    with pytest.raises(ValueError):
        note("Not an id")
    with pytest.raises(ValueError):
        note("elderly_definition", base="household")
    with pytest.raises(TypeError):
        note("model_base", base="registered", frame=object())


def test_notes_survive_pickling_and_the_cache_codec(tmp_path):
    notes = [
        note("elderly_definition", base="registered"),
        note("net_out_migration_cut", base="resident", moves=201, share=0.5, units=["licheng"]),
    ]
    assert pickle.loads(pickle.dumps(notes)) == notes
    cache_codec.write_entry(tmp_path / "entry", "k", {"notes": notes})
    (value,) = cache_codec.read_entry(tmp_path / "entry", "k")
    assert value["notes"] == notes and isinstance(value["notes"][1], Note)


def test_a_note_renders_its_developer_sentence_from_its_template_and_round_trips_as_a_record():
    n = note("outmigration_cut", base="registered", moves=1033.4, where="in total over all draws and years")
    assert str(n) == (
        "registered: Net out-migration larger than the persons present was cut: 1,033 person-moves "
        "in total over all draws and years."
    )
    assert n.text == str(n)[len("registered: ") :]
    listed = note("resident_totals_estimated", units=["鲤城区", "丰泽区"], persons=3925422.4)
    assert (
        listed.text.startswith("2020 resident totals of 鲤城区、丰泽区 are ESTIMATED")
        and "(3,925,422 persons)" in listed.text
    )
    record = json.loads(json.dumps(listed.with_base("resident").record()))
    assert from_record(record) == listed.with_base("resident")


def test_numpy_numbers_become_plain_numbers():
    n = note("townships", n=np.int64(163))
    assert type(n.values["n"]) is int and n.text.startswith("Township counts per unit (163 in all)")


def test_the_package_yaml_files_read_the_same_with_libyaml_as_with_pure_python():
    """The catalogue and the note templates are parsed with libyaml (``CSafeLoader``, ten times faster;
    every warm-kernel job reads both): the values must be those of ``yaml.safe_load``."""
    import yaml

    from analysis import catalogue, notes

    catalogue.catalogue.cache_clear()
    notes.templates.cache_clear()
    assert notes.templates() == yaml.safe_load(notes.TEMPLATES_FILE.read_text(encoding="utf-8"))
    pure = yaml.safe_load(catalogue.CATALOGUE_FILE.read_text(encoding="utf-8"))
    assert {key: catalogue._check_entry(key, entry) for key, entry in pure.items()} == catalogue.catalogue()
