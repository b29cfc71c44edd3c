"""The Salesforce side of the install (salesforce/, an SFDX source-format
project): every custom field the shipped configuration reads or writes
(chansyncctl crm fields) exists in the package with a type that holds what
is sent, a length at least the longest text sent, every picklist value
written and the external ids the upserts match on; the permission set
grants each of them exactly (read, or edit for what is written), each
object exactly (read; create and edit where records are written), and
nothing else."""
import json
import os
import xml.etree.ElementTree as ET

from harness import ROOT, Env, eq, test

PKG = os.path.join(ROOT, "salesforce", "force-app", "main", "default")
NS = {"m": "http://soap.sforce.com/2006/04/metadata"}
# what each kind of need accepts of the metadata's field types
TYPES = {"text": {"Text", "TextArea", "LongTextArea", "Picklist", "Url", "Email"},
         "number": {"Number", "Percent", "Currency"},
         "datetime": {"DateTime"},
         "reference": {"Lookup", "MasterDetail"},
         "picklist": {"Picklist", "Text"},
         "any": None}


def text(e, tag):
    x = e.find("m:" + tag, NS)
    return x.text if x is not None else None


def field_file(sobject, field):
    return os.path.join(PKG, "objects", sobject, "fields", field + ".field-meta.xml")


@test
def the_package_holds_every_field_the_configuration_uses():
    env = Env("sfpkg")
    try:
        env.credential("x", "y\n")
        r = env.ctl("-c", os.path.join(ROOT, "config", "chansync.yaml"), "--json", "crm",
                    "fields", check_rc=0)
        need = json.loads(r.stdout)
        custom = [f for f in need if f["field"].endswith("__c")]
        if len(custom) < 25:
            raise AssertionError("only %d custom fields: the check would prove little"
                                 % len(custom))
        bad = []
        for f in custom:
            path = field_file(f["sobject"], f["field"])
            where = "%s.%s (%s)" % (f["sobject"], f["field"], f["config"])
            if not os.path.exists(path):
                bad.append("%s: not in the package" % where)
                continue
            x = ET.parse(path).getroot()
            t = text(x, "type")
            ok = TYPES[f["type"]]
            if ok is not None and t not in ok:
                bad.append("%s: type %s cannot hold %s" % (where, t, f["type"]))
            if f["length"] and t in ("Text", "TextArea", "LongTextArea"):
                n = int(text(x, "length") or (255 if t == "TextArea" else 0))
                if n < f["length"]:
                    bad.append("%s: length %d, %d sent" % (where, n, f["length"]))
            if f["values"] and t == "Picklist":
                have = {text(v, "fullName") for v in x.iterfind(
                    "m:valueSet/m:valueSetDefinition/m:value", NS)}
                missing = [v for v in f["values"] if v not in have]
                if missing:
                    bad.append("%s: picklist lacks %s" % (where, missing))
            if f["reference"] and text(x, "referenceTo") != f["reference"]:
                bad.append("%s: a lookup to %s, not %s" % (where, text(x, "referenceTo"),
                                                            f["reference"]))
            if f["external_id"] and (text(x, "externalId") != "true" or
                                     text(x, "unique") != "true"):
                bad.append("%s: must be a unique external id" % where)
        for so in {f["sobject"] for f in custom if f["sobject"].endswith("__c")}:
            if not os.path.exists(os.path.join(PKG, "objects", so, so + ".object-meta.xml")):
                bad.append("%s: the object is not in the package" % so)
        # the permission set: exactly what is needed
        ps = ET.parse(os.path.join(PKG, "permissionsets",
                                   "Chansync_Integration.permissionset-meta.xml")).getroot()
        granted = {text(p, "field"): (text(p, "readable"), text(p, "editable"))
                   for p in ps.iterfind("m:fieldPermissions", NS)}
        wanted = {"%s.%s" % (f["sobject"], f["field"]):
                  ("true", "true" if ("create" in f["access"] or "update" in f["access"])
                   else "false") for f in custom}
        for k in sorted(set(granted) | set(wanted)):
            if granted.get(k) != wanted.get(k):
                bad.append("permission set, %s: grants %r, needs %r" % (k, granted.get(k),
                                                                      wanted.get(k)))
        objs = {}
        for f in need:
            o = objs.setdefault(f["sobject"], {"create": False, "edit": False})
            o["create"] |= "create" in f["access"]
            o["edit"] |= "create" in f["access"] or "update" in f["access"]
        objs.pop("User", None)     # every user can read users
        got = {}
        for p in ps.iterfind("m:objectPermissions", NS):
            got[text(p, "object")] = {"create": text(p, "allowCreate") == "true",
                                      "edit": text(p, "allowEdit") == "true",
                                      "read": text(p, "allowRead") == "true",
                                      "more": "true" in (text(p, "allowDelete"),
                                                         text(p, "viewAllRecords"),
                                                         text(p, "modifyAllRecords"))}
        for o in sorted(set(objs) | set(got)):
            g, w = got.get(o), objs.get(o)
            if g is None or w is None or not g["read"] or g["more"] or \
                    g["create"] != w["create"] or g["edit"] != w["edit"]:
                bad.append("permission set, object %s: grants %r, needs %r" % (o, g, w))
        if bad:
            raise AssertionError("\n".join(bad))
        with open(os.path.join(ROOT, "salesforce", "sfdx-project.json")) as fh:
            proj = json.load(fh)
        eq(proj["packageDirectories"][0]["path"], "force-app", "the package directory")
    finally:
        env.cleanup()
