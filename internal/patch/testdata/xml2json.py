#!/usr/bin/env python3
"""Convert FHIR/fhir-test-cases r4/patch/fhir-patch-tests.xml to JSON.

One-off fixture converter (run: python3 xml2json.py SRC.xml > fhir-patch-tests.json).
It knows just enough FHIR XML->JSON for the elements that file uses: which
elements repeat (LISTS), which primitives are numbers or booleans, primitive
extensions (_name) and XHTML div as a string.
"""
import json, sys
import xml.etree.ElementTree as ET

NS = '{http://hl7.org/fhir}'
XHTML = '{http://www.w3.org/1999/xhtml}'
LISTS = {'parameter', 'part', 'address', 'line', 'extension', 'contact', 'relationship',
         'coding', 'given', 'identifier', 'telecom'}
# 'name' repeats on Patient but not on Patient.contact.
def is_list(path, tag):
    if tag == 'name':
        return path == ['Patient']
    return tag in LISTS

def prim(tag, v):
    if tag == 'valueInteger':
        return int(v)
    if tag in ('active', 'deceasedBoolean', 'valueBoolean'):
        return v == 'true'
    return v

def obj(e, path):
    out = {}
    if 'url' in e.attrib:
        out['url'] = e.attrib['url']
    for c in e:
        if c.tag.startswith(XHTML):
            ET.register_namespace('', 'http://www.w3.org/1999/xhtml')
            s = ET.tostring(c, encoding='unicode').strip()
            out['div'] = s
            continue
        tag = c.tag.replace(NS, '')
        key = tag
        if tag == 'id' and len(path) == 1:
            val = c.attrib['value']
        elif 'value' in c.attrib or (len(c) > 0 and all(x.tag == NS+'extension' for x in c) and 'value' in c.attrib):
            val = prim(tag, c.attrib['value'])
            if len(c):
                ext = obj(c, path + [tag])
                add(out, '_' + key, ext, False)
        else:
            val = obj(c, path + [tag])
        add(out, key, val, is_list(path, tag))
    return out

def add(out, key, val, lst):
    if lst:
        out.setdefault(key, []).append(val)
    else:
        out[key] = val

def resource(e):
    if e is None:
        return None
    r = [x for x in e][0]
    typ = r.tag.replace(NS, '')
    return {'resourceType': typ, **obj(r, [typ])}

cases = []
for c in ET.parse(sys.argv[1]).getroot():
    case = {'name': c.attrib['name'], 'mode': c.attrib.get('mode', ''),
            'input': resource(c.find('input')), 'diff': resource(c.find('diff'))}
    if c.find('output') is not None:
        case['output'] = resource(c.find('output'))
    if c.find('error') is not None:
        case['error'] = c.find('error').attrib['msg']
    cases.append(case)
json.dump(cases, sys.stdout, indent=1, ensure_ascii=False)
print()
