"""Deterministic demo population for the Yubei demo tree (``manage.py load_demo_population``).

- Size by scale: tiny 3,000 people, default 220,000, full 2,200,000 (Yubei's resident population).
- Age × sex like Chongqing's 2020 census (0-14: 15.9 %, 15-59: 62.2 %, 60+: 21.9 %; sex ratio ≈ 102;
  more women among the oldest), sampled in 5-year bands.
- Valid ID numbers: a Chongqing region code (most Yubei, then other districts/counties) or, for
  some migrants, another province's; real birth dates; sequence numbers unique per (region, birth
  date) with the sex parity; GB 11643 check digit.
- Households (户) of 1-6 people (mean ≈ 2.5), relationship to the head by GB/T 4761, placed in the
  demo houses of their community (vacancy ≈ 10 %); people of communities without demo houses stay
  unplaced in their pool. About 27 % registered elsewhere (户籍 outside the community), 5 % only in
  the city record (no pool).
- Written with COPY (the building-count trigger runs once per chunk). The same seed gives the same
  people; only the AES-GCM nonces differ between runs. Reference date 2026-01-01, so ages don't
  drift with the clock.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import numpy as np
from django.db import connection, transaction

from boundaries.levels import Level

from . import crypto
from .ids import check_digit, mask_id, mask_phone

SCALES = {"tiny": 3_000, "default": 220_000, "full": 2_200_000}
REFERENCE = dt.date(2026, 1, 1)
CITY_ONLY_SHARE = 0.05
ELSEWHERE_SHARE = 0.27

# (age from, age to, share %): Chongqing 2020 census summary shares spread over 5-year bands.
AGE_BANDS = [
    (0, 4, 4.6), (5, 9, 5.6), (10, 14, 5.7), (15, 19, 4.7), (20, 24, 5.0), (25, 29, 6.5), (30, 34, 8.0),
    (35, 39, 7.3), (40, 44, 6.2), (45, 49, 8.3), (50, 54, 8.7), (55, 59, 7.5), (60, 64, 5.1), (65, 69, 5.6),
    (70, 74, 4.3), (75, 79, 3.1), (80, 84, 2.1), (85, 99, 1.7),
]
CHONGQING_REGIONS = ("500101 500102 500103 500104 500105 500106 500107 500108 500109 500110 500111 500113 500114 "
                     "500115 500116 500117 500118 500119 500120 500151 500152 500153 500154 500155 500156 500229 "
                     "500230 500231 500233 500235 500236 500237 500238 500240 500241 500242 500243").split()
OTHER_PROVINCES = "510104 510106 511602 511702 513901 520102 430102 420106 610113 530102 440305 320106".split()
SURNAMES = ("陈李刘张王杨黄周何罗吴谭唐赵徐邓冉向胡曾蒋熊彭谢余郭袁秦冯杜田朱马廖梁文龚肖程林韩"
            "雷宋付江高任蒲孙汪范石钟傅许贺邱卢沈万郑夏吕姚汤欧邹严颜苏易黎")
GIVEN_M = "伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宇浩凯健俊帆帅旭宁龙林阳峰建国志兵东亮成"
GIVEN_F = "芳娟敏静丽艳燕娜霞玲婷雪琴慧莉倩红梅英兰萍颖洁琳晶欣怡佳雨萱涵月丹秀琼"
ETHNIC = (("01", 0.935), ("15", 0.055), ("06", 0.008), ("07", 0.001), ("08", 0.001))

Progress = Callable[[str], None]


def _communities() -> list[tuple[int, str, str, str]]:
    with connection.cursor() as cur:
        cur.execute(
            "SELECT c.id, c.code, c.name, t.name FROM adminunits_adminunit c JOIN adminunits_adminunit t "
            "ON t.id = c.parent_id WHERE c.level = %s ORDER BY c.code", [Level.COMMUNITY],
        )
        return cur.fetchall()


def _houses_by_community() -> dict[str, np.ndarray]:
    with connection.cursor() as cur:
        cur.execute(
            "SELECT split_part(b.path, '/', 4), h.id FROM adminunits_house h "
            "JOIN adminunits_adminunit b ON b.id = h.building_id ORDER BY h.id"
        )
        out: dict[str, list[int]] = {}
        for code, hid in cur.fetchall():
            out.setdefault(code, []).append(hid)
    return {k: np.array(v, dtype=np.int64) for k, v in out.items()}


def _ages_and_sexes(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    shares = np.array([b[2] for b in AGE_BANDS])
    band = rng.choice(len(AGE_BANDS), size=n, p=shares / shares.sum())
    lo = np.array([b[0] for b in AGE_BANDS])[band]
    hi = np.array([b[1] for b in AGE_BANDS])[band]
    age = lo + (rng.random(n) * (hi - lo + 1)).astype(int)
    p_male = np.where(age < 60, 0.515, np.where(age < 80, 0.49, 0.43))
    male = rng.random(n) < p_male
    return age, male


def _bytea(b: bytes) -> str:
    return "\\\\x" + b.hex()


def generate(scale: str = "default", seed: int = 2026, progress: Progress | None = None,
             chunk: int = 100_000) -> dict[str, int]:
    say = progress or (lambda _m: None)
    target = SCALES[scale]
    rng = np.random.default_rng(seed)
    communities = _communities()
    if not communities:
        raise RuntimeError("no communities: load the demo tree first (manage.py load_demo)")
    houses = _houses_by_community()
    # Households first fill the community's demo houses (90 % occupied; tiny fills 5 % of them so
    # tests stay fast), then the rest of the target is spread over all pools as not-yet-placed
    # people, with a log-normal spread between communities.
    fill = 0.05 if scale == "tiny" else 0.9
    sizes_p = np.array([0.27, 0.31, 0.21, 0.12, 0.06, 0.03])  # mean ≈ 2.45 (Chongqing 2020: 2.46)
    house_hh = {c[1]: int(len(houses.get(c[1], ())) * fill) for c in communities}
    in_houses = int(sum(house_hh.values()) * 2.45)
    weights = rng.lognormal(0, 0.5, len(communities))
    spread = np.round(max(0, target - in_houses) * weights / weights.sum()).astype(int)
    rows_community: list[np.ndarray] = []
    rows_household: list[np.ndarray] = []
    rows_house: list[np.ndarray] = []
    hh_total = 0
    hh_community: list[np.ndarray] = []
    for ci, (_cid, ccode, _cname, _tname) in enumerate(communities):
        n_placed = house_hh[ccode]
        n_spread = int(spread[ci] / 2.45) + 1
        sizes = rng.choice(np.arange(1, 7), size=n_placed + n_spread, p=sizes_p)
        n_hh = len(sizes)
        hh_ids = np.arange(hh_total, hh_total + n_hh)
        placed = np.full(n_hh, -1, dtype=np.int64)
        if n_placed:
            placed[:n_placed] = rng.permutation(houses[ccode])[:n_placed]
        rows_community.append(np.repeat(ci, sizes.sum()))
        rows_household.append(np.repeat(hh_ids, sizes))
        rows_house.append(np.repeat(placed, sizes))
        hh_community.append(np.repeat(ci, n_hh))
        hh_total += n_hh
    comm = np.concatenate(rows_community)
    hh = np.concatenate(rows_household)
    house = np.concatenate(rows_house)
    hh_comm = np.concatenate(hh_community)
    hh_house = np.full(hh_total, -1, dtype=np.int64)
    hh_house[hh] = house
    n = len(comm)
    say(f"population demo: {n} people in {hh_total} households, {len(communities)} communities")

    age, male = _ages_and_sexes(rng, n)
    # The first member of each household is its head and an adult.
    first = np.r_[True, hh[1:] != hh[:-1]]
    head_age = age[first]
    young = head_age < 18
    head_age[young] = 18 + rng.integers(0, 50, young.sum())
    age[first] = head_age
    head_of = np.maximum.accumulate(np.where(first, np.arange(n), 0))
    diff = age - age[head_of]
    relation = np.where(first, "02", np.where(diff <= -15, np.where(male, "20", "30"),
                        np.where(diff >= 15, np.where(male, "51", "52"),
                                 np.where(male != male[head_of], "10", "70"))))
    # Only one spouse per household: later "spouses" become other relatives.
    spouse = relation == "10"
    dup_spouse = spouse & (np.r_[False, spouse[:-1]] & (hh == np.r_[-1, hh[:-1]]))
    relation[dup_spouse] = "97"

    days = rng.integers(0, 365, n)
    birth_ord = np.array([dt.date(REFERENCE.year - 1 - a, 1, 1).toordinal() for a in range(0, 101)])[age] + days
    birth_ord = np.minimum(birth_ord, REFERENCE.toordinal() - 1)
    u = rng.random(n)
    region_idx = np.where(u < 0.5, -1, np.where(u < 0.88, 0, 1))  # -1 Yubei, 0 Chongqing elsewhere, 1 other prov.
    cq = rng.integers(0, len(CHONGQING_REGIONS), n)
    op = rng.integers(0, len(OTHER_PROVINCES), n)
    region = np.where(region_idx == -1, "500112", np.where(region_idx == 0, np.array(CHONGQING_REGIONS)[cq],
                                                           np.array(OTHER_PROVINCES)[op]))
    # Unique sequence per (region, birth date, sex): rank within the group, sex in the parity.
    key = np.char.add(region, birth_ord.astype(str))
    key = np.char.add(key, male.astype(int).astype(str))
    order = np.argsort(key, kind="stable")
    sk = key[order]
    start = np.r_[True, sk[1:] != sk[:-1]]
    group_start = np.maximum.accumulate(np.where(start, np.arange(n), 0))
    offset = rng.integers(0, 100, n)[group_start]  # one random start per group, then consecutive
    seq = np.empty(n, dtype=np.int64)
    seq[order] = (offset + np.arange(n) - group_start) * 2
    seq += male.astype(int)
    if int(np.max(seq)) > 999:
        raise RuntimeError("too many people share a region and birth date for 3-digit sequence numbers")

    elsewhere = rng.random(n) < ELSEWHERE_SHARE
    city_only_hh = rng.random(hh_total) < CITY_ONLY_SHARE
    city_only = city_only_hh[hh]
    eth_codes = np.array([e[0] for e in ETHNIC])
    eth = eth_codes[rng.choice(len(ETHNIC), n, p=np.array([e[1] for e in ETHNIC]) / sum(e[1] for e in ETHNIC))]
    has_phone = (age >= 14) & (rng.random(n) < 0.9)
    phone_num = rng.integers(0, 10**8, n)
    phone_pre = np.array(["138", "139", "135", "136", "137", "150", "151", "152", "157", "158", "159", "182", "183",
                          "187", "188", "130", "131", "132", "155", "156", "185", "186", "133", "153", "180", "189",
                          "177", "199"])[rng.integers(0, 28, n)]
    surname_p = 1 / (np.arange(len(SURNAMES)) + 3.0)
    sur = rng.choice(len(SURNAMES), n, p=surname_p / surname_p.sum())
    two = rng.random(n) < 0.75
    g1 = rng.integers(0, 40, n)
    g2 = rng.integers(0, 40, n)
    r = rng.random((n, 5))
    alone_elderly = (age >= 65) & np.r_[np.diff(hh) != 0, True] & first
    party = (age >= 18) & (r[:, 0] < 0.065)
    political = np.where(party, "01", np.where((age >= 14) & (age <= 28) & (r[:, 1] < 0.25), "03", "13"))

    comm_code = [c[1] for c in communities]
    comm_addr = [f"重庆市渝北区{c[3]}{c[2]}" for c in communities]

    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("SELECT coalesce(max(id), 0) FROM population_household")
        hh_base = cur.fetchone()[0] + 1
        say("writing households")
        with cur.cursor.copy("COPY population_household (id, number, unit_id, house_id, created_at) FROM STDIN") as cp:
            buf = []
            for i in range(hh_total):
                ci = hh_comm[i]
                hid = hh_house[i]
                buf.append(f"{hh_base + i}\t{comm_code[ci]}{i:07d}\t{communities[ci][0]}\t"
                           f"{hid if hid >= 0 else chr(92) + 'N'}\t2026-01-01 00:00:00+08\n")
                if len(buf) >= 50_000:
                    cp.write("".join(buf))
                    buf = []
            cp.write("".join(buf))
        cur.execute("SELECT setval(pg_get_serial_sequence('population_household', 'id'), %s)", [hh_base + hh_total])
        cols = ("name, id_hash, id_cipher, id_masked, region_code, birth_date, sex, ethnicity, phone_hash, "
                "phone_cipher, phone_masked, hukou_code, hukou_address, pool_id, status, house_id, house_relation, household_id, "
                "relation_to_head, political_status, tags, added_by_community, created_at, updated_at")
        rel_map = {"02": "owner"}
        N = "\\N"
        for startrow in range(0, n, chunk):
            end = min(n, startrow + chunk)
            lines = []
            for i in range(startrow, end):
                bd = dt.date.fromordinal(int(birth_ord[i]))
                first17 = f"{region[i]}{bd:%Y%m%d}{int(seq[i]):03d}"
                number = first17 + check_digit(first17)
                ci = comm[i]
                if elsewhere[i]:
                    # Registered elsewhere (人户分离): 户籍 at the ID's region, or another Chongqing district.
                    hk_region = region[i] if region[i] != "500112" else CHONGQING_REGIONS[cq[i]]
                    hk_code, hk_addr = hk_region + "000000", f"外地户籍（{hk_region}）"
                else:
                    hk_code, hk_addr = comm_code[ci], f"{comm_addr[ci]}{int(days[i]) % 200 + 1}号"
                if has_phone[i]:
                    phone = f"{phone_pre[i]}{int(phone_num[i]):08d}"
                    ph, pc, pm = _bytea(crypto.phone_hash(phone)), _bytea(crypto.encrypt(phone)), mask_phone(phone)
                else:
                    ph, pc, pm = N, N, ""
                hid = house[i]
                in_pool = not city_only[i]
                given = (GIVEN_M if male[i] else GIVEN_F)
                name = SURNAMES[sur[i]] + given[g1[i] % len(given)] + (given[g2[i] % len(given)] if two[i] else "")
                tags = []
                if alone_elderly[i]:
                    tags.append("elderly_alone")
                if r[i, 2] < 0.05:
                    tags.append("disabled")
                if r[i, 3] < 0.02:
                    tags.append("dibao")
                if male[i] and age[i] >= 25 and r[i, 4] < 0.03:
                    tags.append("veteran")
                if party[i]:
                    tags.append("party_member")
                if age[i] >= 18 and r[i, 4] > 0.9995:
                    tags.append("deprived_political_rights")
                is_placed = bool(in_pool and hid >= 0)
                lines.append("\t".join((
                    name, _bytea(crypto.id_hash(number)), _bytea(crypto.encrypt(number)), mask_id(number),
                    region[i], bd.isoformat(), "1" if male[i] else "2", eth[i], ph, pc, pm, hk_code, hk_addr,
                    str(communities[ci][0]) if in_pool else N, "active", str(hid) if is_placed else N,
                    (rel_map.get(relation[i], "family") if is_placed else ""), str(hh_base + hh[i]), relation[i],
                    political[i], "{" + ",".join(tags) + "}", "f", "2026-01-01 00:00:00+08", "2026-01-01 00:00:00+08",
                )) + "\n")
            with cur.cursor.copy(f"COPY population_person ({cols}) FROM STDIN") as cp:
                cp.write("".join(lines))
            say(f"people {end}/{n}")
        cur.execute("ANALYZE population_person")
        cur.execute("ANALYZE population_household")
    return {"people": n, "households": hh_total, "city_only": int(city_only.sum()),
            "placed": int(((house >= 0) & ~city_only).sum())}


def wipe() -> None:
    with connection.cursor() as cur:
        # Deferred FK checks queued in this transaction would block TRUNCATE: run them now.
        cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cur.execute("TRUNCATE population_personevent, population_transfer, population_person, population_household, "
                    "population_buildingresidents RESTART IDENTITY CASCADE")
