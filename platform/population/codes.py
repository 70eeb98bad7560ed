"""National code tables used on the person record.

- Ethnicity: GB/T 3304-1991 (the 56 groups, two-digit codes).
- Relationship to the head of household: GB/T 4761-2008.
- Political status: GB/T 4762-1984.
"""
from __future__ import annotations

from django.db import models

_ETHNIC = (
    "汉族 蒙古族 回族 藏族 维吾尔族 苗族 彝族 壮族 布依族 朝鲜族 满族 侗族 瑶族 白族 土家族 哈尼族 哈萨克族 傣族 黎族 "
    "傈僳族 佤族 畲族 高山族 拉祜族 水族 东乡族 纳西族 景颇族 柯尔克孜族 土族 达斡尔族 仫佬族 羌族 布朗族 撒拉族 毛南族 "
    "仡佬族 锡伯族 阿昌族 普米族 塔吉克族 怒族 乌孜别克族 俄罗斯族 鄂温克族 德昂族 保安族 裕固族 京族 塔塔尔族 独龙族 "
    "鄂伦春族 赫哲族 门巴族 珞巴族 基诺族"
).split()
ETHNICITIES: dict[str, str] = {f"{i:02d}": name for i, name in enumerate(_ETHNIC, start=1)}
ETHNICITY_BY_NAME: dict[str, str] = {v: k for k, v in ETHNICITIES.items()}
ETHNICITY_CHOICES = list(ETHNICITIES.items())

RELATIONS_TO_HEAD: dict[str, str] = {
    "01": "本人", "02": "户主", "10": "配偶", "11": "夫", "12": "妻",
    "20": "子", "21": "独生子", "22": "长子", "23": "次子", "24": "三子", "25": "四子", "26": "五子",
    "27": "养子或继子", "28": "女婿", "29": "其他儿子",
    "30": "女", "31": "独生女", "32": "长女", "33": "二女", "34": "三女", "35": "四女", "36": "五女",
    "37": "养女或继女", "38": "儿媳", "39": "其他女儿",
    "40": "孙子、孙女或外孙子、外孙女", "41": "孙子", "42": "孙女", "43": "外孙子", "44": "外孙女",
    "45": "孙媳妇或外孙媳妇", "46": "孙女婿或外孙女婿", "47": "曾孙子或外曾孙子", "48": "曾孙女或外曾孙女",
    "49": "其他孙子、孙女或外孙子、外孙女",
    "50": "父母", "51": "父亲", "52": "母亲", "53": "公公", "54": "婆婆", "55": "岳父", "56": "岳母",
    "57": "继父或养父", "58": "继母或养母", "59": "其他父母关系",
    "60": "祖父母或外祖父母", "61": "祖父", "62": "祖母", "63": "外祖父", "64": "外祖母",
    "65": "配偶的祖父母或外祖父母", "66": "曾祖父", "67": "曾祖母", "68": "配偶的曾祖父母或外曾祖父母",
    "69": "其他祖父母或外祖父母关系",
    "70": "兄弟姐妹", "71": "兄", "72": "嫂", "73": "弟", "74": "弟媳", "75": "姐姐", "76": "姐夫",
    "77": "妹妹", "78": "妹夫", "79": "其他兄弟姐妹",
    "80": "其他", "81": "伯父", "82": "伯母", "83": "叔父", "84": "婶母", "85": "舅父", "86": "舅母",
    "87": "姨父", "88": "姨母", "89": "姑父", "90": "姑母", "91": "堂兄弟、堂姐妹", "92": "表兄弟、表姐妹",
    "93": "侄子", "94": "侄女", "95": "外甥", "96": "外甥女", "97": "其他亲属", "99": "非亲属",
}  # fmt: skip
RELATION_BY_NAME: dict[str, str] = {v: k for k, v in RELATIONS_TO_HEAD.items()}
RELATION_CHOICES = list(RELATIONS_TO_HEAD.items())

POLITICAL_STATUS: dict[str, str] = {
    "01": "中共党员", "02": "中共预备党员", "03": "共青团员", "04": "民革党员", "05": "民盟盟员",
    "06": "民建会员", "07": "民进会员", "08": "农工党党员", "09": "致公党党员", "10": "九三学社社员",
    "11": "台盟盟员", "12": "无党派人士", "13": "群众",
}  # fmt: skip
POLITICAL_BY_NAME: dict[str, str] = {v: k for k, v in POLITICAL_STATUS.items()}
POLITICAL_CHOICES = list(POLITICAL_STATUS.items())


class Sex(models.TextChoices):
    MALE = "1", "男"
    FEMALE = "2", "女"


class Tag(models.TextChoices):
    ELDERLY_ALONE = "elderly_alone", "独居老人"
    DISABLED = "disabled", "残疾人"
    DIBAO = "dibao", "低保"
    VETERAN = "veteran", "退役军人"
    PARTY_MEMBER = "party_member", "党员"
    DEPRIVED_POLITICAL_RIGHTS = "deprived_political_rights", "被剥夺政治权利"


TAG_BY_LABEL: dict[str, str] = {t.label: t.value for t in Tag}


class HouseRelation(models.TextChoices):
    OWNER = "owner", "产权人"
    FAMILY = "family", "家庭成员"
    TENANT = "tenant", "租户"
    BORROWER = "borrower", "借住"
    COLLECTIVE = "collective", "集体户"
    OTHER = "other", "其他"


HOUSE_RELATION_BY_LABEL: dict[str, str] = {t.label: t.value for t in HouseRelation}


class PersonStatus(models.TextChoices):
    ACTIVE = "active", "在册"
    LEFT_CITY = "left_city", "已迁出本市"


class EventKind(models.TextChoices):
    CITY_RECORD = "city_record", "市级人口库导入"
    ADDED = "added", "新增居住人口"
    TRANSFER_IN = "transfer_in", "居住人口转入"
    TRANSFER_OUT = "transfer_out", "居住人口转出"
    TRANSFER_ACCEPTED = "transfer_accepted", "接收转入"
    TRANSFER_REJECTED = "transfer_rejected", "退回转出"
    LEFT_CITY = "left_city", "迁出本市"
    PLACED = "placed", "入住房屋"
    UNPLACED = "unplaced", "离开房屋"
    HUKOU_UPDATED = "hukou_updated", "户籍信息更新"
    IMPORTED = "imported", "表格导入"


class TransferStatus(models.TextChoices):
    PENDING = "pending", "待接收"
    ACCEPTED = "accepted", "已接收"
    REJECTED = "rejected", "已退回"
