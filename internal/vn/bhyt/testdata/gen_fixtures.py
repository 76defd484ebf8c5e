#!/usr/bin/env python3
"""Writes the synthetic FHIR episodes in episodes/ (run once; the JSON is committed).
All people, cards and codes are invented for tests."""
import json, copy

B = "https://sen-emr.github.io/fhir/"
ICD = "http://hl7.org/fhir/sid/icd-10"
LOINC = "http://loinc.org"

def org():
    return {"resourceType": "Organization", "id": "bv1", "name": "Bệnh viện Đa khoa Sen",
            "identifier": [{"system": B + "sid/ma-cskcb", "value": "01013"}],
            "extension": [{"url": B + "StructureDefinition/bhyt-ma-ttdv", "valueString": "GD01"}]}

def practitioner(pid, name, code):
    return {"resourceType": "Practitioner", "id": pid, "name": [{"text": name}],
            "identifier": [{"system": B + "sid/practitioner-cchn", "value": code}]}

def patient(pid, name, birth, gender, card, cccd, phone):
    p = {"resourceType": "Patient", "id": pid, "name": [{"text": name}], "birthDate": birth, "gender": gender,
         "identifier": [{"system": B + "sid/cccd", "value": cccd}, {"system": B + "sid/bhyt", "value": card}],
         "telecom": [{"system": "phone", "value": phone}],
         "address": [{"text": "12 Phố Huế, Phường Hai Bà Trưng, Hà Nội",
                      "extension": [{"url": B + "StructureDefinition/address-admin-unit", "valueCoding": {"system": B + "CodeSystem/vn-province", "code": "01"}},
                                    {"url": B + "StructureDefinition/address-admin-unit", "valueCoding": {"system": B + "CodeSystem/vn-commune", "code": "00256"}}]}]}
    return p

def coverage(card, start, end):
    return {"resourceType": "Coverage", "id": "cov1", "status": "active", "subscriberId": card,
            "period": {"start": start, "end": end},
            "extension": [{"url": B + "StructureDefinition/bhyt-ma-dkbd", "valueString": "01013"}]}

def cond(cid, code, text):
    return {"resourceType": "Condition", "id": cid, "code": {"coding": [{"system": ICD, "code": code}], "text": text},
            "subject": {"reference": "Patient/p1"}}

def encounter(loai, cls, start, end, khoa, reason, diags, **kw):
    e = {"resourceType": "Encounter", "id": "e1", "status": "finished", "class": {"code": cls},
         "identifier": [{"value": "HSBA-" + loai + "-0001"}],
         "type": [{"coding": [{"system": B + "CodeSystem/bhyt-ma-loai-kcb", "code": loai}]}],
         "serviceType": {"coding": [{"system": B + "CodeSystem/bhyt-ma-khoa", "code": khoa}]},
         "subject": {"reference": "Patient/p1"}, "period": {"start": start, "end": end},
         "reasonCode": [{"text": reason}],
         "diagnosis": [{"condition": {"reference": "Condition/" + d}, "rank": i + 1} for i, d in enumerate(diags)]}
    e.update(kw)
    return e

def charge(cid, system, code, text, qty, unit, price, at, nhom, performer="d1", service=None, exts=()):
    c = {"resourceType": "ChargeItem", "id": cid, "status": "billable",
         "code": {"coding": [{"system": B + "CodeSystem/" + system, "code": code}], "text": text},
         "subject": {"reference": "Patient/p1"}, "context": {"reference": "Encounter/e1"},
         "quantity": {"value": qty, "unit": unit}, "priceOverride": {"value": price, "currency": "VND"},
         "occurrenceDateTime": at, "performer": [{"actor": {"reference": "Practitioner/" + performer}}],
         "extension": [{"url": B + "StructureDefinition/bhyt-ma-nhom", "valueString": nhom}] + [
             {"url": B + "StructureDefinition/" + k, "valueString": v} for k, v in exts]}
    if service:
        c["service"] = [{"reference": service}]
    return c

def medreq(mid, text, dose, route, at, days=None):
    m = {"resourceType": "MedicationRequest", "id": mid, "status": "completed", "intent": "order",
         "medicationCodeableConcept": {"text": text}, "subject": {"reference": "Patient/p1"},
         "authoredOn": at, "requester": {"reference": "Practitioner/d1"},
         "dosageInstruction": [{"text": dose, "patientInstruction": "Uống sau ăn",
                                "route": {"coding": [{"system": "urn:bhyt:duong-dung", "code": route}]}}]}
    return m

def lab(oid, code, text, value, unit, at, dv):
    return {"resourceType": "Observation", "id": oid, "status": "final",
            "extension": [{"url": B + "StructureDefinition/bhyt-ma-dich-vu", "valueString": dv}],
            "category": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/observation-category", "code": "laboratory"}]}],
            "code": {"coding": [{"system": LOINC, "code": code}], "text": text},
            "valueQuantity": {"value": value, "unit": unit}, "issued": at, "performer": [{"reference": "Practitioner/d2"}]}

def comp(cid, loinc, title, date, sections, author="d1", ident=None):
    c = {"resourceType": "Composition", "id": cid, "status": "final", "type": {"coding": [{"system": LOINC, "code": loinc}]},
         "subject": {"reference": "Patient/p1"}, "date": date, "author": [{"reference": "Practitioner/" + author}], "title": title,
         "section": [{"title": t, "text": {"status": "generated", "div": "<div xmlns=\"http://www.w3.org/1999/xhtml\">" + x + "</div>"}} for t, x in sections]}
    if ident:
        c["identifier"] = {"value": ident}
    return c

def bundle(*res):
    return {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": r} for r in res]}

common = [org(), practitioner("d1", "BS. Trần Văn Bình", "001234/HNO-CCHN"), practitioner("d2", "BS. Lê Thị Hoa", "004321/HNO-CCHN")]
P = patient("p1", "Nguyễn Thị Lan", "1958-04-12", "female", "HT3010123456789", "001158012345", "+84912345678")
COV = coverage("HT3010123456789", "2026-01-01", "2026-12-31")
visit = charge("ci-kham", "bhyt-ma-dich-vu", "02.1896", "Khám Nội", 1, "lần", 45000, "2026-03-02T08:10:00+07:00", "13")

cases = {
 # 01 outpatient visit: hypertension, lab test, 30 days of amlodipine.
 "outpatient": bundle(*common, P, COV,
    encounter("01", "AMB", "2026-03-02T08:05:00+07:00", "2026-03-02T10:40:00+07:00", "K01", "Đau đầu, chóng mặt", ["c1", "c2"]),
    cond("c1", "I10", "Tăng huyết áp vô căn"), cond("c2", "E78.5", "Rối loạn lipid máu"),
    visit,
    charge("ci-xn", "bhyt-ma-dich-vu", "23.0075.1494", "Định lượng Cholesterol toàn phần", 1, "lần", 26900, "2026-03-02T08:30:00+07:00", "1", "d2"),
    medreq("mr1", "Amlodipin 5mg", "Ngày uống 1 viên, sáng", "1.01", "2026-03-02T10:20:00+07:00"),
    charge("ci-t1", "bhyt-ma-thuoc", "40.456", "Amlodipin 5mg", 30, "viên", 315.5, "2026-03-02T10:20:00+07:00", "4", service="MedicationRequest/mr1",
           exts=[("bhyt-ham-luong", "5mg"), ("bhyt-so-dang-ky", "VD-12345-10"), ("bhyt-tt-thau", "G1;N4;2025")]),
    lab("o1", "2093-3", "Cholesterol toàn phần", 6.2, "mmol/L", "2026-03-02T09:30:00+07:00", "23.0075.1494"),
    {"resourceType": "Appointment", "id": "hen1", "status": "booked", "start": "2026-04-01T08:00:00+07:00", "created": "2026-03-02",
     "participant": [{"actor": {"reference": "Practitioner/d1"}, "status": "accepted"}]}),
 # 03 inpatient stay: pneumonia, 5 days, bed, antibiotic, progress notes, discharge paper.
 "inpatient": bundle(*common, P, COV,
    encounter("03", "IMP", "2026-02-10T14:00:00+07:00", "2026-02-14T09:00:00+07:00", "K03", "Sốt, ho, khó thở", ["c1"],
              hospitalization={"dischargeDisposition": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/discharge-disposition", "code": "home"}]}},
              extension=[{"url": B + "StructureDefinition/bhyt-ket-qua-dtri", "valueString": "1"}]),
    cond("c1", "J18.9", "Viêm phổi, không đặc hiệu"),
    charge("ci-kham", "bhyt-ma-dich-vu", "02.1896", "Khám Nội", 1, "lần", 45000, "2026-02-10T14:10:00+07:00", "13"),
    charge("ci-giuong", "bhyt-ma-dich-vu", "K03.1908", "Giường Nội khoa loại 1", 4, "ngày", 218333.3333, "2026-02-10T15:00:00+07:00", "15",
           exts=[("bhyt-ma-giuong", "H001")]),
    medreq("mr1", "Ceftriaxon 1g", "Tiêm tĩnh mạch 1 lọ x 2 lần/ngày", "2.15", "2026-02-10T15:00:00+07:00"),
    charge("ci-t1", "bhyt-ma-thuoc", "40.211", "Ceftriaxon 1g", 8, "lọ", 18564.45, "2026-02-10T15:00:00+07:00", "4", service="MedicationRequest/mr1",
           exts=[("bhyt-ham-luong", "1g"), ("bhyt-so-dang-ky", "VD-20520-14")]),
    charge("ci-vt", "bhyt-ma-vat-tu", "N03.01.030", "Bơm tiêm nhựa 5ml", 8, "cái", 850, "2026-02-10T15:00:00+07:00", "10"),
    {"resourceType": "Observation", "id": "w1", "status": "final", "code": {"coding": [{"system": LOINC, "code": "29463-7"}]},
     "valueQuantity": {"value": 52.5, "unit": "kg"}},
    comp("pn1", "11506-3", "Diễn biến", "2026-02-11T08:00:00+07:00", [("Diễn biến", "Còn sốt 38,5°C, ran nổ đáy phổi phải")]),
    comp("pn2", "11506-3", "Diễn biến", "2026-02-13T08:00:00+07:00", [("Diễn biến", "Hết sốt, ăn uống được")], author="d2"),
    comp("ds1", "18842-5", "Giấy ra viện", "2026-02-14", [("Phương pháp điều trị", "Kháng sinh tĩnh mạch 4 ngày"), ("Lời dặn", "Tái khám sau 1 tuần")])),
 # 01 emergency (MA_DOITUONG_KCB 2): no XML0.
 "emergency": bundle(*common, P, COV,
    encounter("01", "EMER", "2026-03-05T22:15:00+07:00", "2026-03-06T01:30:00+07:00", "K02", "Đau ngực cấp", ["c1"],
              priority={"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v3-ActPriority", "code": "EM"}]}),
    cond("c1", "R07.4", "Đau ngực, không đặc hiệu"),
    charge("ci-kham", "bhyt-ma-dich-vu", "02.1896", "Khám cấp cứu", 1, "lần", 45000, "2026-03-05T22:20:00+07:00", "13"),
    charge("ci-ecg", "bhyt-ma-dich-vu", "21.0014.1778", "Điện tim thường", 1, "lần", 35400, "2026-03-05T22:30:00+07:00", "3")),
 # 04 day treatment: chemotherapy-style infusion day.
 "day-treatment": bundle(*common, P, COV,
    encounter("04", "SS", "2026-03-10T07:30:00+07:00", "2026-03-10T16:00:00+07:00", "K24", "Truyền hóa chất theo chu kỳ", ["c1"]),
    cond("c1", "C50.9", "U ác của vú, không đặc hiệu"),
    charge("ci-kham", "bhyt-ma-dich-vu", "02.1896", "Khám Ung bướu", 1, "lần", 45000, "2026-03-10T07:40:00+07:00", "13"),
    medreq("mr1", "Paclitaxel 100mg", "Truyền tĩnh mạch 175mg/m2", "2.15", "2026-03-10T08:00:00+07:00"),
    charge("ci-t1", "bhyt-ma-thuoc", "40.1234", "Paclitaxel 100mg", 3, "lọ", 1250000, "2026-03-10T08:00:00+07:00", "4", service="MedicationRequest/mr1",
           exts=[("bhyt-tyle-tt", "50")]),
    comp("pn1", "11506-3", "Diễn biến", "2026-03-10T12:00:00+07:00", [("Diễn biến", "Truyền thuốc an toàn, không phản ứng")])),
 # 07 chronic-disease refill at a commune health station: medicines only, no visit.
 "chronic-refill": bundle(org() | {"identifier": [{"system": B + "sid/ma-cskcb", "value": "01955"}], "name": "Trạm Y tế phường Hai Bà Trưng"},
    practitioner("d1", "YS. Phạm Văn Nam", "007777/HNO-CCHN"),
    patient("p1", "Đặng Văn Thuỷ", "1950", "male", "CC1010123456789", "001050098765", "0987654321"),
    coverage("CC1010123456789", "2026-01-01", "2026-12-31"),
    encounter("07", "AMB", "2026-03-15T07:45:00+07:00", "2026-03-15T08:00:00+07:00", "K01", "Lĩnh thuốc theo hẹn", ["c1", "c2"]),
    cond("c1", "E11.9", "Đái tháo đường typ 2 không biến chứng"), cond("c2", "I10", "Tăng huyết áp vô căn"),
    medreq("mr1", "Metformin 850mg", "Ngày uống 2 viên chia 2 lần", "1.01", "2026-03-15T07:50:00+07:00"),
    charge("ci-t1", "bhyt-ma-thuoc", "40.678", "Metformin 850mg", 60, "viên", 420.123, "2026-03-15T07:50:00+07:00", "4", service="MedicationRequest/mr1"),
    medreq("mr2", "Amlodipin 5mg", "Ngày uống 1 viên", "1.01", "2026-03-15T07:50:00+07:00"),
    charge("ci-t2", "bhyt-ma-thuoc", "40.456", "Amlodipin 5mg", 30, "viên", 315.5, "2026-03-15T07:51:00+07:00", "4", service="MedicationRequest/mr2")),
}
for name, b in cases.items():
    with open(f"episodes/{name}.json", "w", encoding="utf-8") as f:
        json.dump(b, f, ensure_ascii=False, indent=1)
        f.write("\n")
