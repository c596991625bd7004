#!/usr/bin/env python3
"""Writes the multipart and JSON seeds into fuzz/seeds/multipart/ and fuzz/seeds/json/.

Run it again to regenerate (`python3 fuzz/seeds/make_forms.py`, after make_photos.py). The
multipart seeds are what the phone page sends (a `report` JSON part and photos), prefixed by the
two bytes of chunk size the target reads first; the JSON seeds are one byte choosing the input
type (see fuzz_targets/json.rs) followed by a body the route accepts.
"""

import json
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
BOUNDARY = b"qinglingfuzz"


def part(name: bytes, body: bytes, ctype: bytes, filename: bytes = b"") -> bytes:
    disp = b'form-data; name="' + name + b'"'
    if filename:
        disp += b'; filename="' + filename + b'"'
    return (b"--" + BOUNDARY + b"\r\nContent-Disposition: " + disp + b"\r\nContent-Type: " + ctype
            + b"\r\n\r\n" + body + b"\r\n")


def form(report: dict, photos: list) -> bytes:
    out = part(b"report", json.dumps(report, ensure_ascii=False).encode(), b"application/json")
    for i, p in enumerate(photos):
        out += part(b"photo", p, b"image/jpeg", b"IMG_%04d.jpg" % i)
    return out + b"--" + BOUNDARY + b"--\r\n"


def main() -> None:
    photo = open(os.path.join(HERE, "sanitize", "phone_orient6.jpg"), "rb").read()
    report = {"title": "钢包吊运区下方有人值守", "description": "浇注跨吊运路线下方设有操作室",
              "suspected_level": "major", "criterion_codes": ["MEM10-4-2"],
              "intake_code": "QL-7K3M-9XQ2"}
    os.makedirs(os.path.join(HERE, "multipart"), exist_ok=True)
    seeds = {
        "one_photo_whole": (65535, form(report, [photo])),
        "one_photo_small_chunks": (7, form(report, [photo])),
        "three_photos": (4096, form({"title": "出铁场主沟盖板缺失"}, [photo, photo[:2000], photo])),
        "no_photo": (512, form(report, [])),
    }
    for name, (chunk, body) in seeds.items():
        with open(os.path.join(HERE, "multipart", name), "wb") as f:
            f.write(struct.pack("<H", chunk) + body)

    os.makedirs(os.path.join(HERE, "json"), exist_ok=True)
    bodies = {
        0: report,
        1: {"decision": "accept", "level": "major", "criterion_codes": ["MEM10-4-2"]},
        2: {"general_fen": 20000, "major_fen": 200000, "principal_threshold_fen": 100000,
            "monthly_cap_fen": 600000, "duplicates_share": False},
        3: {"amount_fen": 30000, "reason": "情况属实，追加奖励"},
        4: {"reference": "转账 20261201-0042"},
        5: {"reason": "涉嫌打击报复，需核实举报人身份以便保护"},
        6: {"deadline": "2026-12-31T16:00:00Z", "instructions": "立即整改并报送整改报告"},
        7: {"body": "请于三日内说明情况", "to": "enterprise"},
        8: {"username": "manager.wang", "password": "correct horse battery"},
        9: {"current_password": "correct horse battery", "new_password": "another long secret"},
        10: {"username": "worker-1", "password": "correct horse battery", "role": "worker",
             "enterprise_id": "0f8e6d1c-3a5b-4c7d-9e2f-1a2b3c4d5e6f", "display_name": "王铁柱",
             "phone": "139-1234-5678", "employee_no": "GT-20931"},
        11: {"receipt_code": "ABCD-EFGH-JKLM-NPQR", "reason": "驳回理由不成立"},
        12: {"receipt_code": "ABCD-EFGH-JKLM-NPQR"},
        13: {"receipt_code": "ABCD-EFGH-JKLM-NPQR", "body": "补充：夜班时更严重"},
        14: {"responsible": "张三", "measures": "加装联锁", "funds_fen": 500000,
             "deadline": "2026-12-31", "contingency": "停用吊车"},
        15: {"passed": True, "note": "现场复核合格"},
        16: {"title": "煤气柜区域CO报警器失效", "level": "major", "criterion_codes": ["MEM10-4-7"]},
        17: {"code": "MEM10-4-2", "sector": "steel", "title": "会议室、活动室、休息室等设置在熔融金属吊运跨"},
        19: "jiangbei/chengguan",
    }
    for which, body in bodies.items():
        raw = body.encode() if isinstance(body, str) else json.dumps(body, ensure_ascii=False).encode()
        with open(os.path.join(HERE, "json", "type%02d" % which), "wb") as f:
            f.write(bytes([which]) + raw)


if __name__ == "__main__":
    main()
