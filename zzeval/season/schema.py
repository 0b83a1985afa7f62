"""The input format of a season: one :class:`TableSpec` per table.

A season is a folder of tables (CSV in UTF-8, UTF-8 with BOM or GBK, or ``.xlsx``;
CSV may be gzip-compressed as ``.csv.gz``). Each table has English column names;
the Chinese header in ``aliases`` is accepted in its place, because that is what
the bureau's spreadsheets carry. ``data/README.md`` documents the same format for
people; ``tests/test_schema_doc.py`` keeps the two in step.

Units are part of the column names (``area_km2``, ``haul_km``) or, for the air-quality
long form, of a ``unit`` column that is checked row by row.
"""

from __future__ import annotations

from dataclasses import dataclass, field

#: Township classes of the plan (§ 六): urban built-up area, urban–rural fringe,
#: rural, mountain. The clean-heating coverage target depends on the class.
TOWNSHIP_CLASSES = ("urban", "fringe", "rural", "mountain")

#: Clean-heating retrofit types of plan § 六.
RETROFIT_TYPES = ("coal_to_electricity", "coal_to_gas", "waste_heat", "clean_coal")

#: Vehicle classes the diesel measures (plan § 十二) act on.
VEHICLE_CLASSES = ("heavy_truck", "medium_truck", "light_truck", "bus", "taxi", "sanitation")

#: Emission standards (国0 … 国VI) and new-energy vehicles.
EMISSION_STANDARDS = ("China0", "China1", "China2", "China3", "China4", "China5", "China6", "NEV")

#: Fuels of the vehicle fleet.
VEHICLE_FUELS = ("diesel", "gasoline", "gas", "electric")

#: Freight cargo groups of plan § 十一.
CARGO_TYPES = ("coal", "coke", "other_bulk")

#: Rail traction.
RAIL_TRACTION = ("electric", "diesel")

#: Firm classes of the freight table that plan § 十一 names (coal mines, coking plants, steel,
#: power); everything else is ``other``.
FIRM_CLASSES = ("coal_mine", "coking", "steel", "power", "other")

#: Kinds of site in the ``sites`` register, one per plan task on sites (plan §§ 九, 十, 十四, 十五).
SITE_KINDS = ("open_pit_mine", "gangue_hill", "kiln_firm", "vocs_firm", "steel_plant")

#: Yes/no cells (是/否 accepted).
YES_NO = ("yes", "no")

#: Environmental performance grades of the emergency reduction list (绩效分级, plan § 三): A,
#: leading (引领性), B, C, D.
EMERGENCY_GRADES = ("A", "leading", "B", "C", "D")

#: Heavy-pollution alert levels (重污染天气预警: 黄色, 橙色, 红色); ``none`` for a D firm checked
#: outside an alert.
ALERT_LEVELS = ("yellow", "orange", "red", "none")

#: County-level tasks of the plan with no township share (``county_tasks`` table).
COUNTY_TASK_KEYS = ("black_smoke_cameras_new",)

#: Pollutants of the national network's long form and their required unit.
#: The six pollutants of GB 3095-2012 and HJ 633-2012, in the order reports show them.
AIR_POLLUTANTS = ("PM2.5", "PM10", "SO2", "NO2", "CO", "O3")

POLLUTANT_UNITS = {
    "PM2.5": "µg/m³",
    "PM10": "µg/m³",
    "SO2": "µg/m³",
    "NO2": "µg/m³",
    "CO": "mg/m³",
    "O3": "µg/m³",
    "O3_8h": "µg/m³",
    "AQI": "1",
}

#: Spellings of units accepted in the ``unit`` column, mapped to the canonical one.
UNIT_SPELLINGS = {
    "µg/m³": "µg/m³",
    "μg/m³": "µg/m³",  # Greek mu
    "ug/m3": "µg/m³",
    "µg/m3": "µg/m³",
    "μg/m3": "µg/m³",
    "ug/m³": "µg/m³",
    "微克/立方米": "µg/m³",
    "mg/m³": "mg/m³",
    "mg/m3": "mg/m³",
    "毫克/立方米": "mg/m³",
    "1": "1",
    "-": "1",
    "": "1",  # the AQI's unit left empty, as national platform exports do
    "无量纲": "1",
    "dimensionless": "1",
}


@dataclass(frozen=True)
class Column:
    """One column of an input table.

    ``kind`` is one of ``str``, ``int``, ``float``, ``date``, ``datetime``, ``month``,
    ``category`` (value must be in ``allowed``) or ``bool``.
    """

    name: str
    kind: str
    description: str
    unit: str = ""
    required: bool = True
    allowed: tuple[str, ...] = ()
    min: float | None = None
    max: float | None = None
    aliases: tuple[str, ...] = ()
    example: str = ""
    #: the column is required, but a cell of it may be left empty (air_quality ``value``: a missing hour,
    #: read as the row left out would be; hostile review 8A, finding 3)
    empty_ok: bool = False
    #: cell texts that mean "no value" in this column and are read as an empty cell, with a notice
    #: (the calm code 'C' of a wind direction)
    blank_words: tuple[str, ...] = ()
    #: numbers a data service writes in this column for a calm hour (CMA's 999017 for a wind direction): read
    #: as empty where the hour's ``wind_speed_ms`` is calm, with a notice; refused naming the code otherwise
    calm_codes: tuple[float, ...] = ()
    #: the 16 compass points (N, NNE, …; 北, 北东北, …) are read as degrees, with a notice (a wind direction)
    compass_points: bool = False
    #: a platform may write its validity mark of the hour after the value (``43BB``): a cell of a number and a
    #: letter code is refused with a word on marks (:func:`~zzeval.season.parsing.not_number_hint`)
    validity_marks: bool = False
    #: weather data: China Meteorological Administration's code numbers for a missing value (999999 …) or a trace of
    #: precipitation (32700) above the column's maximum are refused as codes (:mod:`zzeval.season.cells`)
    weather_codes: bool = False


@dataclass(frozen=True)
class TableSpec:
    """One table of a season folder."""

    name: str
    description: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()
    required: bool = True
    township_column: str | None = "township"
    #: columns whose dates must fall inside the two seasons being compared
    season_dated: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default_factory=tuple)

    def column(self, name: str) -> Column:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(name)


def _township(required: bool = True) -> Column:
    return Column(
        "township",
        "str",
        "Township pinyin slug (as in townships.slug); the code or the Chinese name is accepted too.",
        required=required,
        aliases=("乡镇", "乡镇名称", "所属乡镇"),
        example="bagong",
    )


TOWNSHIPS = TableSpec(
    "townships",
    "The township-level units (乡镇) assessed under plan § 二十二.",
    (
        Column("code", "str", "Statistical division code (统计用区划代码), 9 digits.",
               aliases=("乡镇代码", "区划代码", "代码"), example="140525108"),
        Column("name_zh", "str", "Name in Chinese.", aliases=("乡镇名称", "名称"), example="巴公镇"),
        Column("slug", "str", "Pinyin slug, lower-case ASCII letters; used in file names and URLs.",
               aliases=("拼音",), example="bagong"),
        Column("class", "category", "Township class for plan § 六 coverage targets.",
               allowed=TOWNSHIP_CLASSES, aliases=("类型", "分类"), example="urban"),
        Column("households", "int", "Resident households.", unit="households", min=0,
               aliases=("户数", "总户数"), example="21000"),
        Column("population", "int", "Resident population.", unit="persons", min=0,
               aliases=("人口", "常住人口"), example="65000"),
        Column("area_km2", "float", "Land area.", unit="km²", min=0.01, aliases=("面积", "面积_km2"),
               example="120.5"),
        # the heating baseline of plan § 六: households already heated cleanly before the season,
        # by kind; with the season's retrofits they give the clean-heating coverage
        Column("clean_before_electricity", "int", "Households heated by electricity before the season.",
               unit="households", required=False, min=0, aliases=("期初电取暖户数",), example="1200"),
        Column("clean_before_gas", "int", "Households heated by gas before the season.",
               unit="households", required=False, min=0, aliases=("期初气取暖户数",), example="3400"),
        Column("clean_before_district", "int",
               "Households on district heating or industrial waste heat before the season.",
               unit="households", required=False, min=0, aliases=("期初集中供热户数",), example="8000"),
    ),
    key=("slug",),
    township_column=None,
)

HEATING_RETROFITS = TableSpec(
    "heating_retrofits",
    "Clean-heating retrofits (清洁取暖改造), plan § 六: one row per township, type and completion batch.",
    (
        _township(),
        Column("retrofit_type", "category", "Retrofit type.", allowed=RETROFIT_TYPES,
               aliases=("改造类型",), example="coal_to_gas"),
        Column("households_planned", "int", "Households allocated by the plan.", unit="households",
               min=0, aliases=("计划户数",), example="420"),
        Column("households_done", "int", "Households retrofitted and in use.", unit="households",
               min=0, aliases=("完成户数",), example="400"),
        Column("completion_date", "date", "Date the batch was finished (empty if not finished).",
               required=False, aliases=("完成日期",), example="2020-10-28"),
        Column("subsidy_yuan", "float", "Public subsidy paid for the batch, if known.", unit="yuan",
               required=False, min=0, aliases=("补贴金额", "补贴资金"), example="2520000"),
    ),
    key=("township", "retrofit_type", "completion_date"),
    notes=("households_done may not exceed households_planned by more than 20 % (checked).",),
)

VEHICLES = TableSpec(
    "vehicles",
    "Vehicle fleet registered in the township by class and emission standard, plan § 十二.",
    (
        _township(),
        Column("vehicle_class", "category", "Vehicle class.", allowed=VEHICLE_CLASSES,
               aliases=("车型",), example="heavy_truck"),
        Column("fuel", "category", "Fuel before the measure.", allowed=VEHICLE_FUELS,
               aliases=("燃料",), example="diesel"),
        Column("emission_standard", "category", "Emission standard (国0…国VI, or NEV).",
               allowed=EMISSION_STANDARDS, aliases=("排放标准",), example="China3"),
        Column("fleet_before", "int", "Vehicles in service at the season start.", unit="vehicles",
               min=0, aliases=("期初保有量",), example="120"),
        Column("fleet_after", "int", "Vehicles in service at the season end.", unit="vehicles",
               min=0, aliases=("期末保有量",), example="0"),
        Column("scrapped", "int", "Vehicles scrapped or deregistered during the campaign.",
               unit="vehicles", min=0, aliases=("淘汰数",), example="120"),
        Column("replaced_china6", "int", "Scrapped vehicles replaced by a China VI diesel vehicle.",
               unit="vehicles", min=0, aliases=("国六替换数",), example="70"),
        Column("replaced_nev", "int", "Scrapped vehicles replaced by a new-energy vehicle.",
               unit="vehicles", min=0, aliases=("新能源替换数",), example="10"),
        Column("obd_fitted", "int", "Vehicles fitted with remote OBD monitoring (China IV/V trucks).",
               unit="vehicles", min=0, aliases=("OBD安装数",), example="0"),
        Column("scrappage_payment_yuan", "float", "Scrappage subsidies paid.", unit="yuan",
               required=False, min=0, aliases=("淘汰补贴",), example="1800000"),
    ),
    key=("township", "vehicle_class", "fuel", "emission_standard"),
)

FREIGHT = TableSpec(
    "freight",
    "Bulk freight of enterprises, by road and by rail, before and after the shift (公转铁), plan § 十一.",
    (
        Column("enterprise", "str", "Enterprise name.", aliases=("企业名称", "企业"),
               example="晋城某煤业有限公司"),
        _township(),
        Column("cargo", "category", "Cargo group.", allowed=CARGO_TYPES, aliases=("货物", "货类"),
               example="coal"),
        Column("road_t_before", "float", "Annual tonnes by road before the shift.", unit="t/yr",
               min=0, aliases=("公路运量_前",), example="1200000"),
        Column("rail_t_before", "float", "Annual tonnes by rail before the shift.", unit="t/yr",
               min=0, aliases=("铁路运量_前",), example="300000"),
        Column("road_t_after", "float", "Annual tonnes by road after the shift.", unit="t/yr",
               min=0, aliases=("公路运量_后",), example="200000"),
        Column("rail_t_after", "float", "Annual tonnes by rail after the shift.", unit="t/yr",
               min=0, aliases=("铁路运量_后",), example="1300000"),
        Column("haul_km", "float", "Road haul distance avoided per tonne moved to rail.", unit="km",
               min=0, max=3000, aliases=("运距", "运距_km"), example="60"),
        Column("rail_traction", "category", "Traction of the rail haul.", allowed=RAIL_TRACTION,
               aliases=("牵引方式",), example="electric"),
        Column("siding_date", "date", "Date the rail siding (铁路专用线) entered service, if any.",
               required=False, aliases=("专用线投用日期",), example="2020-11-25"),
        # optional, plan § 十一: siding access of steel and power firms, the power plant's clean
        # transport, sidings the plan dates (Fusheng Steel: end of November 2020)
        Column("firm_class", "category", "Firm class: coal_mine, coking, steel, power or other.",
               required=False, allowed=FIRM_CLASSES, aliases=("企业类型", "行业"), example="power"),
        Column("siding_due_date", "date", "Date by which the plan wants the firm's siding in service, if it sets one.",
               required=False, aliases=("专用线要求投运日期",), example="2020-11-30"),
        Column("clean_road_t_after", "float",
               "Of road_t_after, tonnes moved in a clean way (new-energy trucks, closed belt conveyor, pipeline).",
               unit="t/yr", required=False, min=0, aliases=("清洁方式公路运量_后",), example="0"),
    ),
    key=("enterprise", "cargo"),
    notes=("clean_road_t_after may not exceed road_t_after (checked); an enterprise has one firm_class "
           "and one siding_due_date over its rows (checked).",),
)

STATIONS = TableSpec(
    "stations",
    "Air-quality monitoring stations; one per township at least (Shanxi runs township stations).",
    (
        Column("station_code", "str", "Station code as used in air_quality.", aliases=("站点编码", "监测点编码"),
               example="ZZ108"),
        Column("name_zh", "str", "Station name in Chinese.", aliases=("站点名称", "监测点名称"),
               example="巴公镇站"),
        _township(),
        Column("lon", "float", "Longitude (WGS84).", unit="°E", min=73, max=136, aliases=("经度",),
               example="112.885"),
        Column("lat", "float", "Latitude (WGS84).", unit="°N", min=3, max=54, aliases=("纬度",),
               example="35.640"),
        Column("replaces", "str", "Code of the station of the same township this one replaced (same site under a "
               "new code, or moved a short distance): the two are one series. Empty otherwise.", required=False,
               aliases=("替代站点", "原站点编码"), example=""),
    ),
    key=("station_code",),
)

AIR_QUALITY = TableSpec(
    "air_quality",
    "Hourly concentrations in the long form the national network publishes.",
    (
        Column("station_code", "str", "Station code (stations.station_code).", aliases=("站点编码", "监测点编码"),
               example="ZZ108"),
        Column("datetime", "datetime", "Beijing time; the value at hour H is the mean of (H−1, H].",
               aliases=("时间", "日期时间"), example="2020-12-01 08:00"),
        Column("pollutant", "category", "Pollutant.", allowed=tuple(POLLUTANT_UNITS),
               aliases=("污染物",), example="PM2.5"),
        Column("value", "float", "Concentration (AQI rows: the published AQI); empty for a missing hour.", min=0,
               aliases=("浓度", "数值"), example="68", empty_ok=True, validity_marks=True),
        Column("unit", "str", "µg/m³ for all pollutants but CO (mg/m³); for AQI 1, 无量纲 or empty.",
               aliases=("单位",), example="µg/m³", empty_ok=True),
    ),
    key=("station_code", "datetime", "pollutant"),
    township_column=None,
    season_dated=("datetime",),
)

METEOROLOGY = TableSpec(
    "meteorology",
    "Hourly meteorology, per station or county-wide (station_code empty or 'county'); every station "
    "measured in a season needs weather in it, its own or the county-wide rows (data/README.md).",
    (
        Column("datetime", "datetime", "Beijing time.", aliases=("时间", "日期时间"), example="2020-12-01 08:00"),
        Column("station_code", "str", "Station code, or empty / 'county' for a county-wide series.",
               required=False, aliases=("站点编码",), example="county"),
        Column("temperature_c", "float", "Air temperature.", unit="°C", min=-50, max=50,
               aliases=("气温",), example="-3.2", weather_codes=True),
        Column("rh_pct", "float", "Relative humidity.", unit="%", min=0, max=100,
               aliases=("相对湿度",), example="55", weather_codes=True),
        Column("wind_speed_ms", "float", "Wind speed.", unit="m/s", min=0, max=60,
               aliases=("风速",), example="1.8", weather_codes=True),
        Column("wind_dir_deg", "float", "Direction the wind blows from; empty, 'C' or CMA's 999017 in a calm hour.", unit="°",
               min=0, max=360, required=False, aliases=("风向",), example="315",
               blank_words=("C", "c", "CALM", "Calm", "calm", "静风", "静稳"), calm_codes=(999017,),
               compass_points=True, weather_codes=True),
        Column("pressure_hpa", "float", "Station pressure.", unit="hPa", min=500, max=1100,
               aliases=("气压",), example="935.2", weather_codes=True),
        Column("precip_mm", "float", "Precipitation in the hour.", unit="mm", min=0, max=300,
               aliases=("降水量",), example="0", weather_codes=True),
        Column("blh_m", "float", "Boundary-layer height, when available.", unit="m", required=False,
               min=0, max=6000, aliases=("边界层高度",), example="420", weather_codes=True),
    ),
    key=("station_code", "datetime"),
    township_column=None,
    season_dated=("datetime",),
)

DUSTFALL = TableSpec(
    "dustfall",
    "Monthly dustfall (降尘量) per township, GB/T 15265-94 gravimetric method; plan target < 9.",
    (
        _township(),
        Column("month", "month", "Month of exposure, YYYY-MM.", aliases=("月份",), example="2020-12"),
        Column("dustfall_t_km2_month", "float", "Dustfall; empty for a lost sample (the month missing, 缺测).",
               unit="t/(month·km²)", min=0, max=200, aliases=("降尘量",), example="7.4", empty_ok=True),
    ),
    key=("township", "month"),
    season_dated=("month",),
)

TARGETS = TableSpec(
    "targets",
    "The plan's targets allocated to townships (one row per township and task).",
    (
        _township(),
        Column("task", "category", "Task key (see data/README.md for the list).",
               allowed=(
                   "heating_coal_to_electricity", "heating_coal_to_gas", "heating_waste_heat",
                   "heating_clean_coal", "clean_heating_coverage_pct", "china3_trucks_remaining",
                   "obd_coverage_pct", "im_pass_rate_pct", "rail_share_coal_coke_pct",
                   "coal_boilers_remaining", "scattered_firms_remaining", "straw_fire_points",
                   "pm25_change_pct", "dustfall_t_km2_month", "nev_public_fleet_pct",
                   "loose_coal_violation_pct", "pm25_change_adj_pct", "baobiao_days", "heating_total",
                   "open_pit_mines_rectified_pct", "gangue_hills_issues", "kiln_fugitive_done_pct",
                   "vocs_bypass_inventoried_pct", "steel_ule_assessed_pct", "siding_firms_rail_pct",
                   "power_clean_transport_pct", "sidings_overdue", "emergency_compliance_pct",
               ),
               aliases=("任务",), example="heating_coal_to_gas"),
        Column("target", "float", "Target value, in the task's unit.", aliases=("目标值",), example="420"),
        Column("unit", "str", "Unit of the target (households, %, vehicles, firms, count, t/(month·km²)).",
               aliases=("单位",), example="households"),
        Column("deadline", "date", "Date by which the target must be met.", aliases=("完成时限",),
               example="2020-10-31"),
    ),
    key=("township", "task"),
)

TASKS = TableSpec(
    "tasks",
    "Progress of the plan's other tasks per township at the season end (§§ 七, 八, 十二, 十三).",
    (
        _township(),
        Column("coal_boilers_start", "int", "Coal boilers < 35 t/h in service at the season start.",
               unit="boilers", min=0, aliases=("燃煤锅炉_期初",), example="3"),
        Column("coal_boilers_removed", "int", "Of those, removed or converted.", unit="boilers", min=0,
               aliases=("燃煤锅炉_拆改",), example="3"),
        Column("scattered_firms_found", "int", "Scattered polluting firms (散乱污) found.", unit="firms",
               min=0, aliases=("散乱污_发现",), example="5"),
        Column("scattered_firms_rectified", "int", "Of those, rectified or closed.", unit="firms", min=0,
               aliases=("散乱污_整治",), example="5"),
        Column("straw_fire_points", "int", "Straw fire points (秸秆火点) detected in the season.",
               unit="fire points", min=0, aliases=("秸秆火点",), example="0"),
        Column("im_tests", "int", "I/M emission tests of diesel vehicles in the season.", unit="tests",
               min=0, aliases=("IM检测数",), example="850"),
        Column("im_passes", "int", "Of those, passed.", unit="tests", min=0, aliases=("IM合格数",),
               example="790"),
        Column("loose_coal_checks", "int", "Spot checks of retrofitted households for coal re-burning.",
               unit="checks", min=0, aliases=("散煤抽查数",), example="200"),
        Column("loose_coal_violations", "int", "Checks that found coal burned again.", unit="checks",
               min=0, aliases=("散煤复烧数",), example="2"),
    ),
    key=("township",),
)

SITES = TableSpec(
    "sites",
    "Register of the sites that plan §§ 九, 十, 十四 and 十五 name (optional): one row per open-pit mine, "
    "coal-gangue hill, industrial-kiln firm, VOCs firm or steel plant, with whether its task is done.",
    (
        _township(),
        Column("site_id", "str", "The site's number in the register (any text, unique).",
               aliases=("编号", "台账编号"), example="KS-03"),
        Column("name", "str", "Name of the mine, hill or firm.", aliases=("名称", "企业名称"),
               example="泽州某露天矿"),
        Column("kind", "category", "Kind of site (the task it is assessed on).", allowed=SITE_KINDS,
               aliases=("类型", "类别"), example="open_pit_mine"),
        Column("done", "category",
               "Its task done (yes/no): mine rectified (综合整治); gangue hill inventoried (建立台账); kiln firm's "
               "fugitive-dust round done (无组织排放排查整治); VOCs firm's bypasses inventoried (旁路摸底排查); "
               "steel plant's ultra-low-emission assessment done (超低排放评估监测).",
               allowed=YES_NO, aliases=("是否完成", "完成情况"), example="yes"),
        Column("done_date", "date", "Date the task was done, if known.", required=False,
               aliases=("完成日期",), example="2020-12-15"),
        Column("self_ignition", "category",
               "Coal-gangue hills only: self-ignition or smoke (自燃冒烟) seen in the season (yes/no).",
               required=False, allowed=YES_NO, aliases=("是否自燃",), example="no"),
    ),
    key=("site_id",),
    required=False,
    notes=("Optional: without it the tasks of plan §§ 九, 十, 十四, 十五 are not assessed. With it, a township "
           "with no site of a kind shows 不涉及 (not applicable) for that kind's task.",
           "self_ignition yes is allowed for coal-gangue hills only (checked).",),
)

COUNTY_TASKS = TableSpec(
    "county_tasks",
    "County-level tasks of the plan that no township shares (optional): one row per task.",
    (
        Column("task", "category", "County task key: black_smoke_cameras_new (plan § 十二, 5 by end 2020).",
               allowed=COUNTY_TASK_KEYS, aliases=("任务",), example="black_smoke_cameras_new"),
        Column("value", "float", "What was achieved, in the task's unit (cameras).", min=0,
               aliases=("完成值", "数量"), example="5"),
        Column("date", "date", "Date the value was counted.", required=False, aliases=("统计日期",),
               example="2020-12-31"),
    ),
    key=("task",),
    required=False,
    township_column=None,
    notes=("Optional: shown on the county page, never in a township's verdict.",),
)

EMERGENCY_INSPECTIONS = TableSpec(
    "emergency_inspections",
    "On-site inspections of the firms of the emergency reduction list (应急减排清单) during heavy-pollution "
    "alerts, and of the D-grade firms during the season (optional, plan § 三): one row per firm and day "
    "inspected, as the inspection record (现场检查记录) gives it.",
    (
        _township(),
        Column("firm_id", "str", "The firm's number in the emergency reduction list (any text).",
               aliases=("企业编号", "清单编号"), example="YJ-0108"),
        Column("firm", "str", "Name of the firm.", aliases=("企业名称",), example="泽州某铸造公司"),
        Column("grade", "category", "Performance grade (绩效等级): A, leading (引领性), B, C or D.",
               allowed=EMERGENCY_GRADES, aliases=("绩效等级", "绩效分级", "等级"), example="B"),
        Column("inspected_on", "date", "Date of the inspection.", aliases=("检查日期",), example="2020-12-12"),
        Column("alert_level", "category",
               "Alert in force that day: yellow, orange, red (黄色/橙色/红色预警) or none (无).",
               required=False, allowed=ALERT_LEVELS, aliases=("预警级别",), example="orange"),
        Column("required_cut_pct", "float",
               "Cut the firm's measures in the emergency reduction list require (B and C: 30–50; D: 100).",
               unit="%", required=False, min=0, max=100, aliases=("要求减排比例",), example="30"),
        Column("observed_cut_pct", "float",
               "Cut found at the inspection (lines stopped, metered electricity against normal production).",
               unit="%", required=False, min=0, max=100, aliases=("核查减排比例", "实际减排比例"), example="35"),
        Column("stopped", "category", "Production stopped at the inspection (yes/no).", required=False,
               allowed=YES_NO, aliases=("是否停产",), example="no"),
        Column("compliant", "category", "The inspector's finding: the required measures carried out (yes/no).",
               required=False, allowed=YES_NO, aliases=("是否落实", "是否落实到位"), example="yes"),
    ),
    key=("firm_id", "inspected_on"),
    required=False,
    notes=("Optional: without it the task of plan § 三 is not assessed. With it, a township with no B, C "
           "or D firm inspected shows 不涉及 (A and leading firms choose their own measures).",
           "Checked: each row decides compliance (compliant, or stopped, or for B and C the observed cut); "
           "B and C rows give the alert level; no compliant = yes against stopped = no or a cut below the "
           "required one; a B or C cut required below the plan's 30 %, a D firm's other than 100 %; the date "
           "inside the season assessed.",),
)

#: All tables of a season, in the order they are loaded and documented.
TABLES: dict[str, TableSpec] = {
    spec.name: spec
    for spec in (
        TOWNSHIPS, HEATING_RETROFITS, VEHICLES, FREIGHT, STATIONS, AIR_QUALITY,
        METEOROLOGY, DUSTFALL, TARGETS, TASKS, SITES, COUNTY_TASKS, EMERGENCY_INSPECTIONS,
    )
}

#: Tables a season folder may leave out (an empty table of the same columns stands in).
OPTIONAL_TABLES = tuple(name for name, spec in TABLES.items() if not spec.required)

#: File extensions tried for each table, in order.
TABLE_EXTENSIONS = (".csv", ".csv.gz", ".xlsx")
