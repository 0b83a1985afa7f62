"""Chinese (default) and English labels of the emission tables' codes.

The report's label catalogue is ``zzeval/reference/labels.yaml``; these are the
emission-specific keys, kept here so the estimate can label its own tables.
"""

from __future__ import annotations

LABELS: dict[str, dict[str, str]] = {
    "measure.clean_heating": {"zh": "清洁取暖改造", "en": "Clean-heating retrofits"},
    "measure.diesel_trucks": {"zh": "柴油货车淘汰", "en": "Diesel-truck scrappage"},
    "measure.nev_fleet": {"zh": "公交、出租、环卫车新能源替代", "en": "New-energy buses, taxis, sanitation"},
    "measure.obd_im": {"zh": "OBD 远程监控与 I/M 维修", "en": "OBD monitoring and I/M repairs"},
    "measure.road_to_rail": {"zh": "公转铁", "en": "Road-to-rail freight"},
    "measure.total": {"zh": "合计", "en": "Total"},
    "submeasure.coal_to_electricity": {"zh": "煤改电", "en": "Coal to electricity"},
    "submeasure.coal_to_gas": {"zh": "煤改气", "en": "Coal to gas"},
    "submeasure.waste_heat": {"zh": "工业余热供暖", "en": "Industrial waste heat"},
    "submeasure.clean_coal": {"zh": "洁净型煤", "en": "Clean briquettes"},
    "submeasure.heavy_truck": {"zh": "重型货车", "en": "Heavy trucks"},
    "submeasure.medium_truck": {"zh": "中型货车", "en": "Medium trucks"},
    "submeasure.light_truck": {"zh": "轻型货车", "en": "Light trucks"},
    "submeasure.bus": {"zh": "公交车", "en": "Buses"},
    "submeasure.taxi": {"zh": "出租车", "en": "Taxis"},
    "submeasure.sanitation": {"zh": "环卫车", "en": "Sanitation vehicles"},
    "submeasure.obd": {"zh": "OBD 远程监控", "en": "Remote OBD"},
    "submeasure.im": {"zh": "I/M 检测维修", "en": "I/M repairs"},
    "submeasure.coal": {"zh": "煤炭", "en": "Coal"},
    "submeasure.coke": {"zh": "焦炭", "en": "Coke"},
    "submeasure.other_bulk": {"zh": "其他大宗货物", "en": "Other bulk cargo"},
    "scope.in_county": {"zh": "县域内", "en": "In the county"},
    "scope.moved_outside": {"zh": "转移至县外（电厂）", "en": "Moved outside (power plants)"},
    "scope.net": {"zh": "净减排", "en": "Net"},
    "pollutant.PM2.5": {"zh": "PM2.5", "en": "PM2.5"},
    "pollutant.PM10": {"zh": "PM10", "en": "PM10"},
    "pollutant.SO2": {"zh": "SO2", "en": "SO2"},
    "pollutant.NOx": {"zh": "NOx", "en": "NOx"},
    "pollutant.CO": {"zh": "CO", "en": "CO"},
    "pollutant.VOC": {"zh": "VOCs", "en": "VOC"},
    "pollutant.BC": {"zh": "黑碳", "en": "Black carbon"},
    "pollutant.CO2": {"zh": "CO2", "en": "CO2"},
}


def label(kind: str, code: str, lang: str = "zh") -> str:
    """Label of ``code`` of ``kind`` (measure, submeasure, scope, pollutant) in ``lang``
    (``zh`` or ``en``); the code itself when unknown."""
    entry = LABELS.get(f"{kind}.{code}")
    if entry is None:
        return code
    return entry.get(lang, entry["zh"])
