"""Geographies of the source tables besides the 13 reporting units and the city (names as published).

The bottom of the data floor: no imports, so the schemas and every check can use these names.
"""

from __future__ import annotations

# Geographies that appear in the source tables besides the 13 reporting units and the city.
# Composites are sums of reporting units as published by the statistics office.
COMPOSITE_AREAS: dict[str, tuple[str, ...]] = {
    "鲤城区(含开发区)": ("licheng", "kaifaqu"),
    "惠安县(含台商区)": ("huian", "taishang"),
}
OUTSIDE_AREAS = (
    "福建省",
    "China",
    "福建省(厦门 tier1)",
    "泉州市社会福利中心(丰泽区)",
    "Shanghai (镇 town part only) - PROXY",
)
