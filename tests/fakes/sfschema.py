"""The objects and fields the Salesforce emulator knows: the standard ones
a channel integration touches and the custom ones of our
fixture org. Each field: type, and flags as describe reports them."""

SYSTEM = [
    ("Id", "id", {"createable": False, "updateable": False}),
    ("IsDeleted", "boolean", {"createable": False, "updateable": False}),
    ("CreatedDate", "datetime", {"createable": False, "updateable": False}),
    ("LastModifiedDate", "datetime", {"createable": False, "updateable": False}),
    ("SystemModstamp", "datetime", {"createable": False, "updateable": False}),
]


# describe's length of text fields, in characters as Salesforce counts
# them (UTF-16 code units); textarea here is a long text area
TEXT_LENGTH = {"string": 255, "picklist": 255, "url": 255, "email": 80, "textarea": 32768}


def obj(name, prefix, fields):
    out = {"name": name, "keyPrefix": prefix, "fields": {}}
    for f in SYSTEM + fields:
        fname, ftype, extra = f if len(f) == 3 else (f[0], f[1], {})
        d = {"name": fname, "type": ftype, "nillable": fname not in ("Id", "IsDeleted"),
             "createable": True, "updateable": True, "externalId": False,
             "calculated": False, "length": TEXT_LENGTH.get(ftype, 0)}
        if fname == "Name" and name.endswith("__c"):
            d["length"] = 80        # a custom object's Name field
        d.update(extra)
        out["fields"][fname.lower()] = d
    return out


def ref(name, to, rel, **kw):
    d = {"referenceTo": to, "relationshipName": rel}
    d.update(kw)
    return (name, "reference", d)


RO = {"createable": False, "updateable": False}
ALERT_TYPES = ["partner_conflict", "direct_conflict", "double_approval", "duplicate_registration",
               "approval_sla_warning", "approval_sla_breach", "stale_registrations",
               "registration_expiring", "pipeline_below_plan", "risk_adjusted_below_plan",
               "pipeline_past_due", "score_drop", "tier_changed", "unknown_partner",
               "source_page_skipped"]
MDF_STATUSES = ["Draft", "Submitted", "Approved", "Rejected", "Paid"]
LEAD_STATUSES = ["Open - Not Contacted", "Working - Contacted", "Submitted", "Approved",
                 "Rejected", "Expired", "Closed - Converted", "Closed - Not Converted"]


def pick(name, values, **kw):
    """A picklist field with its values, as describe lists them."""
    d = {"picklistValues": [{"value": v, "label": v, "active": True, "defaultValue": False}
                            for v in values], "restrictedPicklist": True}
    d.update(kw)
    return (name, "picklist", d)
OWNER = ref("OwnerId", "User", "Owner")

SCHEMA = {o["name"].lower(): o for o in [
    obj("User", "005", [("Name", "string"), ("Username", "string"), ("Email", "email"),
                        ("IsActive", "boolean"), ("UserType", "picklist", RO)]),
    obj("RecordType", "012", [("Name", "string"), ("DeveloperName", "string"),
                              ("SobjectType", "string")]),
    obj("Account", "001", [
        ("Name", "string"), ("Website", "url"), ("BillingCountry", "string"), OWNER,
        ("Type", "picklist"), ("Industry", "picklist"), ("IsPartner", "boolean"),
        ("Partner_Tier__c", "picklist"),
        ("Partner_Score__c", "double"), ("Plan_Attainment__c", "double"),
        ("Pipeline_Coverage__c", "double"), ("Risk_Adjusted_Coverage__c", "double"),
        ("Partner_Scored_At__c", "datetime")]),
    obj("Opportunity", "006", [
        ("Name", "string"), ref("AccountId", "Account", "Account"), OWNER,
        ("StageName", "picklist"), ("Amount", "currency"), ("Probability", "percent"),
        ("CloseDate", "date"), ("IsClosed", "boolean", RO), ("IsWon", "boolean", RO),
        ("ForecastCategoryName", "picklist", RO),
        ("ExpectedRevenue", "currency", dict(RO, calculated=True)),
        ref("PartnerAccountId", "Account", "PartnerAccount", **RO),
        ref("Registered_Partner__c", "Account", "Registered_Partner__r"),
        ("Type", "picklist"), ("LeadSource", "picklist"),
        ref("CampaignId", "Campaign", "Campaign")]),
    obj("Campaign", "701", [("Name", "string"), ("Type", "picklist"), ("Status", "picklist"),
                            ("StartDate", "date"), ("EndDate", "date")]),
    obj("OpportunityStage", "01J", [
        ("ApiName", "string", RO), ("MasterLabel", "string", RO),
        ("DefaultProbability", "percent", RO), ("IsActive", "boolean", RO),
        ("IsClosed", "boolean", RO), ("IsWon", "boolean", RO),
        ("ForecastCategoryName", "picklist", RO), ("SortOrder", "int", RO)]),
    obj("Lead", "00Q", [
        ("Company", "string"), ("Website", "url"), ("Email", "email"), ("Country", "string"),
        OWNER,
        pick("Status", LEAD_STATUSES), ("LeadSource", "picklist"),
        ref("RecordTypeId", "RecordType", "RecordType"),
        ref("PartnerAccountId", "Account", "PartnerAccount", **RO),
        ref("Partner_Account__c", "Account", "Partner_Account__r"),
        ("Product_Interest__c", "picklist"), ("Estimated_Amount__c", "currency"),
        ("Registration_Expires__c", "datetime"), ("IsConverted", "boolean", RO),
        ("Decision_Reason__c", "textarea"), ("Decision_Date__c", "datetime"),
        ref("ConvertedOpportunityId", "Opportunity", "ConvertedOpportunity", **RO)]),
    obj("Partner_Plan__c", "a01", [
        ref("Partner__c", "Account", "Partner__r"), ("Period__c", "string"),
        ("Revenue_Target__c", "currency")]),
    obj("Partner_Certification__c", "a02", [
        ref("Partner__c", "Account", "Partner__r"), ("Name", "string"),
        ("Completed_Date__c", "datetime")]),
    obj("PartnerFundRequest", "0Fr", [
        ("Title", "string"), ("RequestedAmount", "currency"), ("Amount", "currency"),
        pick("Status", MDF_STATUSES),
        ref("ChannelPartnerId", "Account", "ChannelPartner", **RO),
        ref("CampaignId", "Campaign", "Campaign")]),
    obj("PartnerFundClaim", "0Fc", [
        ("Title", "string"), ("Amount", "currency"), pick("Status", MDF_STATUSES),
        ref("ChannelPartnerId", "Account", "ChannelPartner", **RO),
        ref("RequestId", "PartnerFundRequest", "Request")]),
    obj("Channel_Alert__c", "a03", [
        ("Name", "string"), ("Chansync_Key__c", "string", {"externalId": True}), OWNER,
        ref("Partner__c", "Account", "Partner__r"), pick("Type__c", ALERT_TYPES),
        pick("Severity__c", ["info", "warning", "critical"]),
        pick("Status__c", ["Open", "Resolved", "Closed"]), ("Message__c", "textarea"),
        ("Evidence__c", "textarea"), ("First_Seen__c", "datetime"),
        ("Last_Seen__c", "datetime")]),
    obj("Deal_Conflict__c", "a04", [
        ("Name", "string"), ("Chansync_Key__c", "string", {"externalId": True}), OWNER,
        pick("Type__c", ["partner_conflict", "double_approval", "direct_conflict", "duplicate"]),
        pick("Status__c", ["Open", "Resolved", "Closed"]), ("Customer__c", "string"),
        ("Recommended_Winner__c", "string"), ("Recommendation__c", "textarea"),
        ("Evidence__c", "textarea"), ("Evidence_Text__c", "textarea"),
        ref("Winning_Partner__c", "Account", "Winning_Partner__r"),
        ref("Winning_Lead__c", "Lead", "Winning_Lead__r"),
        ref("Winning_Opportunity__c", "Opportunity", "Winning_Opportunity__r")]),
]}
