"""The manifest's origin record (analysis.run.origin) agrees with the estimates' latest year."""

from __future__ import annotations

from analysis.demography import estimates
from analysis.present.html import origin_rows
from analysis.run.origin import origin_summary


def test_origin_summary_of_the_census_origin():
    record = origin_summary(2020)
    assert record["year"] == 2020 and record["basis"] == "census base"
    assert record["latest_possible"] == estimates.latest_data_year() >= 2022


def test_origin_summary_of_a_later_origin_names_the_data_cut():
    record = origin_summary(2022)
    assert "figures dated up to 2022-12-31" in record["data_vintage"]
    assert "registry_annual" in record["data_vintage"]


def test_the_index_says_where_the_forecast_starts_and_how_far_the_data_reach():
    rows = origin_rows(origin_summary(2020))
    assert rows[0][0] == "起点 Origin"
    assert "2020年末" in rows[0][1] and "data reach" in rows[0][1]
    assert origin_rows(None) == []


# --- issue 25, the runner side: --origin, the default origin, the resident base, what moved -------

import pytest  # noqa: E402

from analysis.errors import AnalysisError  # noqa: E402
from analysis.run import origin as run_origin  # noqa: E402
from analysis.run import staging  # noqa: E402
from analysis.run.params import check_parameters  # noqa: E402
from analysis.run.planning import notebook_parameters  # noqa: E402
from analysis.run.runner import RunOptions, check_options  # noqa: E402


def test_the_registered_base_starts_at_the_origin_the_resident_one_at_the_census():
    assert run_origin.start_year_of("registered", 2024) == 2024
    assert run_origin.start_year_of("resident", 2024) == 2020
    assert run_origin.start_year_of("registered", None) == 2020


@pytest.mark.parametrize("bad", [2019, "latest+1", "2022", True, 2022.0])
def test_an_origin_outside_the_data_is_an_error_naming_the_option(bad):
    latest = estimates.latest_data_year()
    value = latest + 1 if bad == "latest+1" else bad
    with pytest.raises(AnalysisError, match=r"--origin must be a year from 2020 .* to %d" % latest):
        run_origin.check_origin(value)


def test_the_default_origin_is_the_latest_data_year_and_2020_stays_2020():
    options = RunOptions(end_year=2030, draws=3)
    check_options(options)
    assert options.origin == estimates.latest_data_year() == 2024
    pinned = RunOptions(end_year=2030, draws=3, origin=2020)
    check_options(pinned)
    assert pinned.origin == 2020
    with pytest.raises(AnalysisError, match="--origin 2024 must be before --end-year 2024"):
        check_options(RunOptions(end_year=2024, draws=3, origin=2024))
    short = RunOptions(end_year=2022, draws=3)  # a short horizon: the latest year before it
    check_options(short)
    assert short.origin == 2021


def test_the_origin_reaches_every_notebook_and_cannot_be_set_with_p():
    options = RunOptions(origin=2022, plan="qz_civil_affairs_14th", report_year=2025)
    assert notebook_parameters(options, "jinjiang")["origin"] == 2022
    with pytest.raises(AnalysisError, match="use --origin instead"):
        check_parameters({"origin": 2022}, {}, [])


def test_the_manifest_says_each_base_origin():
    record = origin_summary(2024)
    assert record["bases"]["registered"] == {
        "year": 2024,
        "reference_date": "2024-12-31",
        "basis": "post-censal registered estimate",
    }
    assert record["bases"]["resident"]["year"] == 2020
    assert record["bases"]["resident"]["reference_date"] == "2020-11-01"
    assert "no resident post-censal estimates" in record["bases"]["resident"]["note"]


def test_what_moved_since_the_previous_run():
    previous = {
        "run_id": "r1",
        "origin": {"year": 2024},
        "inputs": {"data/raw/a.csv": "1", "data/raw/b.csv": "2", "scenarios/baseline.yaml": "3"},
    }
    inputs = {
        "data/raw/a.csv": "1",
        "data/raw/b.csv": "changed",
        "data/raw/new.csv": "4",
        "scenarios/baseline.yaml": "other",
    }
    moved = run_origin.since_previous(previous, inputs)
    assert moved == {"run_id": "r1", "origin": 2024, "new_data": ["data/raw/b.csv", "data/raw/new.csv"]}
    assert run_origin.since_previous(None, inputs) is None


def test_the_index_line_names_both_bases_and_what_moved():
    record = {
        **origin_summary(2024),
        "estimates": {"modelled_years": 2, "carry_sd_pct": 0.27, "rebase": None},
        "since_previous": {"run_id": "r1", "origin": 2020, "new_data": ["data/raw/registry_annual.csv"]},
    }
    rows = dict(origin_rows(record))
    assert "户籍 registered 2024年末" in rows["起点 Origin"]
    assert "常住 resident 2020年11月1日普查基期" in rows["起点 Origin"]
    assert "total modelled 2 year(s)" in rows["起点 Origin"] and "0.27 %" in rows["起点 Origin"]
    assert rows["新数据 New data"].endswith("data/raw/registry_annual.csv；起点 origin 2020 → 2024")


def test_the_estimate_record_of_a_later_origin():
    record = staging.estimate_record(2024)
    assert record["base_of_estimates"] == 2020 and record["rebase"] is None
    assert record["modelled_years"] == 2  # end-2022 is the last observed city total
    assert record["carry_sd_pct"] == pytest.approx(0.1908 * 2**0.5, abs=0.001)
    assert staging.estimate_record(2022)["modelled_years"] == 0


def test_the_figures_a_vintage_used_read_as_chinese_names_on_the_page():
    """Printed PDFs carried ``quanzhou:registered_population:2021-12-31``; the page names them."""
    from analysis.run.vintage_table import readable_used

    text = readable_used("quanzhou:registered_population:2021-12-31; quangang:registered_pop_60plus:2024-09-30")
    assert text == "泉州市户籍总人口（2021-12-31）、泉港区户籍60岁及以上人口（2024-09-30）"
    assert "_" not in text


def test_every_registry_indicator_has_a_reader_name():
    from analysis.data.schemas import REGISTRY_INDICATOR_ZH, REGISTRY_INDICATORS

    assert set(REGISTRY_INDICATOR_ZH) == set(REGISTRY_INDICATORS)
