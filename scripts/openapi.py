"""Writes the JSON API's OpenAPI document: python3 scripts/openapi.py > src/web/api/openapi.json"""
import json
def ref(n): return {"$ref": f"#/components/schemas/{n}"}
def body(n): return {"required": True, "content": {"application/json": {"schema": ref(n)}}}
def ok(n, code="200", desc="OK", array=False):
    schema = {"type":"array","items":ref(n)} if array else ref(n)
    return {code: {"description": desc, "content": {"application/json": {"schema": schema}}}}
err = {"401": {"$ref": "#/components/responses/Unauthorized"}, "422": {"$ref": "#/components/responses/Invalid"}}
idp = [{"name":"id","in":"path","required":True,"schema":{"type":"integer"}}]
def q(name, desc, required=False, fmt=None, enum=None):
    s={"type":"string"}
    if fmt: s["format"]=fmt
    if enum: s["enum"]=enum
    return {"name":name,"in":"query","required":required,"description":desc,"schema":s}
services=["legal","psychological","mens"]
month_q=q("month","A calendar month in the hotline's zone, like 2026-11; default the current one")
paths = {
 "/api/v1/staff": {
   "get": {"summary":"Every staff member","responses":{**ok("Staff",array=True),**err}},
   "post": {"summary":"Add a staff member","requestBody":body("StaffInput"),"responses":{**ok("Staff","201","Added"),**err,"409":{"$ref":"#/components/responses/Conflict"}}}},
 "/api/v1/staff/{id}": {"parameters": idp,
   "get": {"summary":"One staff member","responses":{**ok("Staff"),**err,"404":{"$ref":"#/components/responses/NotFound"}}},
   "put": {"summary":"Change a staff member","requestBody":body("StaffInput"),"responses":{**ok("Staff"),**err,"404":{"$ref":"#/components/responses/NotFound"},"409":{"$ref":"#/components/responses/Conflict"}}},
   "delete": {"summary":"Deactivate a staff member (never deleted: the call log keeps their name)","responses":{"204":{"description":"Deactivated"},**err}}},
 "/api/v1/staff/{id}/calendar": {"parameters": idp,
   "get": {"summary":"The staff member's secret calendar feed URL (made on first request)","responses":{**ok("CalendarLink"),**err}},
   "post": {"summary":"Replace the calendar feed's secret; the old URL stops working","responses":{**ok("CalendarLink"),**err}}},
 "/api/v1/staff/{id}/pause": {"parameters": idp, "post": {"summary":"Off duty for every service from now until `until` (a break), as a removal override","requestBody":body("PauseInput"),"responses":{**ok("Rule","201","Paused"),**err}}},
 "/api/v1/staff/{id}/resume": {"parameters": idp, "post": {"summary":"End the person's breaks now","responses":{"204":{"description":"Back on duty"},**err}}},
 "/api/v1/audit": {"get": {"summary":"The audit log, newest first: who changed what and when, and every number revealed","parameters":[q("limit","How many (1-500, default 100)")],"responses":{**ok("AuditEntry",array=True),**err}}},
 "/api/v1/calls": {"get": {"summary":"The call log: each call, its attempts and outcome; callers' numbers masked","parameters":[q("from","Start (RFC 3339)",True,"date-time"),q("to","End (RFC 3339); at most 400 days after from",True,"date-time"),q("line","Only calls to this hotline number"),q("service","legal, psychological or mens"),q("outcome","answered, voicemail, missed, abandoned, blocked or closed"),q("language","kk or ru")],"responses":{**ok("CallLogEntry",array=True),**err}}},
 "/api/v1/calls/{id}/reveal": {"parameters": idp, "post": {"summary":"Her whole number, to call her back; every reveal is written to the audit log first","responses":{**ok("RevealedNumber"),**err,"404":{"$ref":"#/components/responses/NotFound"},"409":{"$ref":"#/components/responses/Conflict"}}}},
 "/api/v1/conversations/{code}/consent": {"parameters":[{"name":"code","in":"path","required":True,"schema":{"type":"string"},"description":"The conversation's code, like K7Q"}],
   "get": {"summary":"Her latest consent on each channel she gave one on, with its terms","responses":{**ok("Consents"),**err,"404":{"$ref":"#/components/responses/NotFound"}}},
   "put": {"summary":"Set her consent on one channel, as a whole (what is left out is cleared); audited without the code word; the outbox weighs it at the moment of sending","requestBody":body("ConsentInput"),"responses":{**ok("Consents"),**err,"404":{"$ref":"#/components/responses/NotFound"}}}},
 "/api/v1/follow-ups": {"get": {"summary":"Contacts owed an answer: open ones first, oldest first, with their age and the reminders sent; then answered ones","responses":{**ok("FollowUp",array=True),**err}}},
 "/api/v1/follow-ups/{id}/answered": {"parameters": idp, "post": {"summary":"She has been answered: reminders stop; audited","requestBody":body("AnsweredInput"),"responses":{**ok("FollowUp"),**err,"404":{"$ref":"#/components/responses/NotFound"},"409":{"$ref":"#/components/responses/Conflict"}}}},
 "/api/v1/planned-follow-ups": {"get": {"summary":"Follow-ups planned for a set time and still to come, soonest first","responses":{**ok("PlannedFollowUp",array=True),**err}}, "post": {"summary":"Plan a follow-up on a conversation (by code) or a call: its staff member is texted at that time; audited without the note","requestBody":body("PlanInput"),"responses":{**ok("PlannedFollowUp","201","Planned"),**err}}},
 "/api/v1/planned-follow-ups/{id}": {"parameters": idp, "delete": {"summary":"Cancel a planned follow-up before it comes due; audited","responses":{"204":{"description":"Cancelled"},**err,"404":{"$ref":"#/components/responses/NotFound"},"409":{"$ref":"#/components/responses/Conflict"}}}},
 "/api/v1/jobs/dead": {"get": {"summary":"Scheduled jobs given up after too many failed tries, newest first, for the coordinator","responses":{**ok("DeadJob",array=True),**err}}},
 "/api/v1/lines": {"get": {"summary":"Every number with its own settings","responses":{**ok("Line",array=True),**err}}},
 "/api/v1/lines/{number}": {"parameters":[{"name":"number","in":"path","required":True,"schema":{"type":"string"},"description":"E.164, or default"}],
   "get": {"summary":"How the number answers (its settings or the default's)","responses":{**ok("Line"),**err}},
   "put": {"summary":"Set the number's settings","requestBody":body("Line"),"responses":{**ok("Line"),**err}},
   "delete": {"summary":"The number answers with the default line again","responses":{"204":{"description":"Deleted"},**err,"404":{"$ref":"#/components/responses/NotFound"}}}},
 "/api/v1/blocklist": {"get": {"summary":"Blocked numbers (kept only as keyed hashes)","responses":{**ok("Block",array=True),**err}},
   "post": {"summary":"Keep a number from calling until a time","requestBody":body("BlockInput"),"responses":{**ok("Block","201","Blocked"),**err}}},
 "/api/v1/blocklist/{id}": {"parameters": idp, "delete": {"summary":"Unblock","responses":{"204":{"description":"Unblocked"},**err,"404":{"$ref":"#/components/responses/NotFound"}}}},
 "/api/v1/on-duty": {"get": {"summary":"Whom a call would ring, in order","parameters":[q("service","The service",True,enum=services),q("language","The caller's language",enum=["kk","ru"]),q("at","An instant (RFC 3339); default now",fmt="date-time")],"responses":{**ok("OnDuty",array=True),**err}}},
 "/api/v1/rota": {"get": {"summary":"The duty intervals between two instants, overrides applied, for calendars","parameters":[q("from","Start (RFC 3339)",True,"date-time"),q("to","End (RFC 3339); at most 400 days after from",True,"date-time"),q("service","Only this service",enum=services)],"responses":{**ok("DutyInterval",array=True),**err}}},
 "/api/v1/gaps": {"get": {"summary":"Every interval with nobody on duty","parameters":[q("service","The service",True,enum=services),q("language","Only people who speak it count",enum=["kk","ru"]),q("from","Start (RFC 3339)",True,"date-time"),q("to","End (RFC 3339)",True,"date-time")],"responses":{**ok("Gap",array=True),**err}}},
 "/api/v1/swaps": {"post": {"summary":"Two staff exchange two duty intervals in one step (two replace overrides)","requestBody":body("SwapInput"),"responses":{**ok("Rule","201","Swapped",array=True),**err,"409":{"$ref":"#/components/responses/Conflict"}}}},
 "/api/v1/reports/monthly": {"get": {"summary":"The donors' monthly report: contacts by service, outcome, language and channel, new and repeat callers, the answer rate, times to a person and to answer a follow-up; counts only","parameters":[month_q],"responses":{**ok("MonthlyReport"),**err}}},
 "/api/v1/reports/monthly.csv": {"get": {"summary":"The monthly report's totals as CSV (month,measure,group,value; one total a row; no personal data)","parameters":[month_q],"responses":{"200":{"description":"UTF-8 CSV with a header","content":{"text/csv":{"schema":{"type":"string"}}}},**err}}},
 "/api/v1/reports/monthly.svg": {"get": {"summary":"One chart of the monthly report as SVG: bars with an accessible title, no script","parameters":[month_q,q("chart","Which chart",True,enum=["services","outcomes","languages","channels","callers"])],"responses":{"200":{"description":"An SVG document","content":{"image/svg+xml":{"schema":{"type":"string"}}}},**err}}},
}
for plural, schema in [("rotations","Rotation"),("shifts","Shift"),("overrides","Override")]:
    paths[f"/api/v1/{plural}"] = {
      "get":{"summary":f"The {plural} in force now or later","responses":{**ok("Rule",array=True),**err}},
      "post":{"summary":f"Add a rule, in force from now","requestBody":body(schema),"responses":{**ok("Rule","201","Added"),**err,"409":{"$ref":"#/components/responses/Conflict"}}}}
    paths[f"/api/v1/{plural}/{{id}}"] = {"parameters": idp,
      "get":{"summary":"Any version of the rule, in force or not","responses":{**ok("Rule"),**err,"404":{"$ref":"#/components/responses/NotFound"}}},
      "put":{"summary":"Edit: the rule ends now and a new version starts now (its id is answered); the past never changes","requestBody":body(schema),"responses":{**ok("Rule"),**err,"404":{"$ref":"#/components/responses/NotFound"},"409":{"$ref":"#/components/responses/Conflict"}}},
      "delete":{"summary":"End the rule now; what it said for the past stays","responses":{"204":{"description":"Ended"},**err,"404":{"$ref":"#/components/responses/NotFound"}}}}
dt={"type":"string","format":"date-time"}
schemas = {
 "Error":{"type":"object","required":["error"],"properties":{"error":{"type":"string"},"field":{"type":"string","nullable":True,"description":"The field at fault, as a path like handoff.every or windows[0].days"}}},
 "StaffInput":{"type":"object","required":["name","phone","services","languages"],"additionalProperties":False,"properties":{
   "name":{"type":"string"},"phone":{"type":"string","description":"E.164, like +77015550101; spaces, dashes and brackets are dropped"},
   "services":{"type":"array","items":{"type":"string","enum":services}},"languages":{"type":"array","items":{"type":"string","enum":["kk","ru"]}},
   "gender":{"type":"string","enum":["female","male"],"nullable":True},"coordinator":{"type":"boolean","default":False},"active":{"type":"boolean","default":True}}},
 "Staff":{"allOf":[ref("StaffInput"),{"type":"object","required":["id"],"properties":{"id":{"type":"integer"}}}]},
 "CalendarLink":{"type":"object","required":["url"],"properties":{"url":{"type":"string","format":"uri"},"services":{"type":"object","additionalProperties":{"type":"string","format":"uri"},"description":"For a coordinator: one feed per service"}}},
 "Window":{"type":"object","required":["days","from","to"],"properties":{"days":{"type":"array","items":{"type":"string","enum":["mon","tue","wed","thu","fri","sat","sun"]}},"from":{"type":"string","example":"09:00"},"to":{"type":"string","example":"18:00","description":"Not after from: ends the next day; equal to from: 24 hours"}}},
 "Rotation":{"type":"object","required":["name","service","members","start","handoff"],"additionalProperties":False,"properties":{
   "name":{"type":"string"},"service":{"type":"string","enum":services},"position":{"type":"integer","minimum":0,"default":0,"description":"0 primary, 1 backup, …"},
   "members":{"type":"array","items":{"type":"integer"},"description":"Staff ids in turn order"},"zone":{"type":"string","default":"Asia/Almaty"},
   "start":{"type":"string","example":"2026-11-30T09:00:00","description":"Wall-clock time of the first handoff in zone"},
   "handoff":{"type":"object","required":["every","unit"],"properties":{"every":{"type":"integer","minimum":1},"unit":{"type":"string","enum":["hours","days","weeks","active_shifts"]}}},
   "windows":{"type":"array","items":ref("Window"),"description":"When the rotation is active; none means always"}}},
 "Shift":{"type":"object","required":["staff_id","service","starts_at","ends_at"],"additionalProperties":False,"properties":{"staff_id":{"type":"integer"},"service":{"type":"string","enum":services},"position":{"type":"integer","minimum":0,"default":0},"starts_at":dt,"ends_at":dt}},
 "Override":{"type":"object","required":["kind","starts_at","ends_at"],"properties":{"kind":{"type":"string","enum":["replace","add","remove"]},"service":{"type":"string","enum":services,"nullable":True,"description":"Absent: every service (a break)"},"absent":{"type":"integer","description":"replace: who is away"},"present":{"type":"integer","description":"replace: who takes their place"},"staff_id":{"type":"integer","description":"add or remove: whom"},"starts_at":dt,"ends_at":dt}},
 "Rule":{"type":"object","required":["id","valid_from"],"description":"A rule's fields, and the span of time it is in force","properties":{"id":{"type":"integer"},"valid_from":dt,"valid_until":{**dt,"nullable":True},"replaced_by":{"type":"integer","nullable":True}},"additionalProperties":True},
 "OnDuty":{"type":"object","required":["staff_id","name","phone","position"],"properties":{"staff_id":{"type":"integer"},"name":{"type":"string"},"phone":{"type":"string"},"position":{"type":"string","description":"primary, backup, position N, added, coordinator"},"speaks_language":{"type":"boolean","nullable":True,"description":"Set when a language was asked for"}}},
 "DutyInterval":{"type":"object","required":["staff_id","name","service","position","starts_at","ends_at","source"],"properties":{"staff_id":{"type":"integer"},"name":{"type":"string"},"in_place_of":{"type":"integer","nullable":True,"description":"Whom a replacement stands in for"},"service":{"type":"string","enum":services},"position":{"type":"string"},"starts_at":dt,"ends_at":dt,"source":{"type":"string","description":"rotation/ID, shift/ID or override/ID"}}},
 "PauseInput":{"type":"object","required":["until"],"properties":{"until":dt}},
 "Line":{"type":"object","additionalProperties":False,"properties":{"number":{"type":"string","readOnly":True},"name":{"type":"string"},"languages":{"type":"array","items":{"type":"string","enum":["kk","ru"]}},"default_language":{"type":"string","enum":["kk","ru"]},"services":{"type":"array","items":{"type":"string","enum":services}},"ring":{"type":"string","enum":["sequential","simultaneous"]},"ring_seconds":{"type":"integer","minimum":5,"maximum":120},"wait_limit_seconds":{"type":"integer","maximum":900},"prefer_gender":{"type":"string","enum":["female","male"],"nullable":True},"hours":{"type":"object","nullable":True,"properties":{"zone":{"type":"string"},"windows":{"type":"array","items":ref("Window")},"holidays":{"type":"array","items":{"type":"string","format":"date"}}}},"recordings":{"type":"object","description":"language → prompt name → URL","additionalProperties":{"type":"object","additionalProperties":{"type":"string"}}}}},
 "BlockInput":{"type":"object","required":["number","until","reason"],"properties":{"number":{"type":"string"},"until":dt,"reason":{"type":"string"}}},
 "Block":{"type":"object","properties":{"id":{"type":"integer"},"until":dt,"reason":{"type":"string"},"created_at":dt}},
 "CallLogEntry":{"type":"object","properties":{"id":{"type":"integer"},"line":{"type":"string"},"caller":{"type":"string","description":"masked"},"started_at":dt,"language":{"type":"string","nullable":True},"service":{"type":"string","nullable":True},"outcome":{"type":"string","nullable":True,"enum":["answered","voicemail","missed","abandoned","blocked","closed",None]},"answered_by":{"type":"integer","nullable":True},"wait_secs":{"type":"integer","nullable":True},"duration_secs":{"type":"integer","nullable":True},"legs":{"type":"array","items":{"type":"object","properties":{"attempt":{"type":"integer"},"staff_id":{"type":"integer"},"result":{"type":"string","nullable":True},"talk_secs":{"type":"integer","nullable":True}}}}}},
 "FollowUp":{"type":"object","required":["id","kind","line","status","opened_at","age_secs","reminders_sent"],"properties":{"id":{"type":"integer"},"kind":{"type":"string","enum":["missed","abandoned","voicemail","closed","message"]},"service":{"type":"string","enum":services,"nullable":True},"line":{"type":"string"},"status":{"type":"string","enum":["open","answered"]},"call_id":{"type":"integer","nullable":True},"code":{"type":"string","nullable":True,"description":"The conversation's code, for texts"},"opened_at":dt,"age_secs":{"type":"integer","description":"Seconds since it opened while open; to its answer once answered"},"reminders_sent":{"type":"integer"},"answered_at":{**dt,"nullable":True},"answered_by":{"type":"integer","nullable":True},"note":{"type":"string","nullable":True}}},
 "AnsweredInput":{"type":"object","additionalProperties":False,"description":"May be {}","properties":{"note":{"type":"string","maxLength":1000,"description":"What was done; never her number"},"staff_id":{"type":"integer","description":"The staff member who answered her"}}},
 "AuditEntry":{"type":"object","required":["id","at","actor","action","subject"],"properties":{"id":{"type":"integer"},"at":dt,"actor":{"type":"string"},"action":{"type":"string"},"subject":{"type":"string"},"before":{"nullable":True,"description":"The subject before, as JSON"},"after":{"nullable":True,"description":"The subject after, as JSON"}}},
 "RevealedNumber":{"type":"object","required":["id","caller"],"properties":{"id":{"type":"integer"},"caller":{"type":"string","description":"E.164"}}},
 "PlanInput":{"type":"object","additionalProperties":False,"required":["staff_id","at"],"description":"Either code or call_id","properties":{"code":{"type":"string","description":"The conversation's code"},"call_id":{"type":"integer"},"staff_id":{"type":"integer","description":"Who is texted when it comes due"},"at":{**dt,"description":"When; in the future"},"note":{"type":"string","maxLength":500,"description":"What to do; sealed at rest, never in the audit log"},"her_text":{"type":"string","maxLength":134,"description":"A text to her then, on a conversation only; sent only if her consent allows it at that moment"}}},
 "PlannedFollowUp":{"type":"object","required":["id","staff_id","at","status","created_by","created_at"],"properties":{"id":{"type":"integer"},"code":{"type":"string","nullable":True},"call_id":{"type":"integer","nullable":True},"staff_id":{"type":"integer"},"at":dt,"note":{"type":"string","nullable":True},"her_text":{"type":"string","nullable":True},"status":{"type":"string","enum":["planned","done","cancelled"]},"created_by":{"type":"string"},"created_at":dt}},
 "DeadJob":{"type":"object","required":["id","kind","key","due_at","attempts"],"properties":{"id":{"type":"integer"},"kind":{"type":"string","example":"follow-up-reminder"},"key":{"type":"string","description":"The occurrence's idempotency key, like follow-up:7:reminder:2"},"due_at":dt,"attempts":{"type":"integer"},"last_error":{"type":"string","nullable":True},"given_up_at":{**dt,"nullable":True}}},
 "SafeHours":{"type":"object","required":["from","until"],"additionalProperties":False,"description":"Her local wall clock in the hotline's zone; until before from runs past midnight","properties":{"from":{"type":"string","example":"10:00"},"until":{"type":"string","example":"13:00"}}},
 "ConsentInput":{"type":"object","required":["channel","granted"],"additionalProperties":False,"properties":{"channel":{"type":"string","enum":["sms","whatsapp","voice"]},"granted":{"type":"boolean"},
   "safe_hours":{**ref("SafeHours"),"description":"Absent: any hour"},"expires_at":{**dt,"description":"In the future; absent: until she withdraws it"},"code_word":{"type":"string","maxLength":64,"description":"Kept sealed; never in the audit log"}}},
 "Consent":{"type":"object","required":["channel","granted","reason","at"],"properties":{"channel":{"type":"string","enum":["sms","whatsapp","voice"]},"granted":{"type":"boolean"},"reason":{"type":"string","enum":["wrote_first","stop","start","asked_to_be_called","terms"]},
   "safe_hours":{**ref("SafeHours"),"nullable":True},"expires_at":{**dt,"nullable":True},"code_word":{"type":"string","nullable":True},"at":dt}},
 "ReportGroup":{"type":"object","required":["group","calls","texts","total"],"properties":{"group":{"type":"string","description":"A fixed key: a service, an outcome, a language, a channel, or none"},"calls":{"type":"integer"},"texts":{"type":"integer"},"total":{"type":"integer"}}},
 "Spread":{"type":"object","required":["count","median_secs","p90_secs"],"description":"Waits in seconds; median and 90th percentile by nearest rank (the value at rank ceil(p/100 * count))","properties":{"count":{"type":"integer"},"median_secs":{"type":"integer","nullable":True},"p90_secs":{"type":"integer","nullable":True}}},
 "MonthlyReport":{"type":"object","required":["month","contacts","by_service","by_outcome","by_language","by_channel","callers","answer_rate","time_to_person","follow_ups"],"description":"Each breakdown lists every group in a fixed order and adds up to contacts","properties":{
   "month":{"type":"string","example":"2026-11"},
   "contacts":{"type":"object","required":["calls","texts","total"],"description":"Calls that began and text conversations opened in the month","properties":{"calls":{"type":"integer"},"texts":{"type":"integer"},"total":{"type":"integer"}}},
   "by_service":{"type":"array","items":ref("ReportGroup"),"description":"legal, psychological, mens, none (a call that ended before she chose)"},
   "by_outcome":{"type":"array","items":ref("ReportGroup"),"description":"answered, voicemail, missed, abandoned, blocked, closed, in_progress (calls); answered or unanswered (texts: a staff reply was queued to her or not)"},
   "by_language":{"type":"array","items":ref("ReportGroup"),"description":"kk, ru, none (not chosen; texts record no language)"},
   "by_channel":{"type":"array","items":ref("ReportGroup"),"description":"voice, sms, whatsapp"},
   "callers":{"type":"object","required":["people","new","repeat"],"description":"People counted once a month by their keyed hash; new: no call or text before the month","properties":{"people":{"type":"integer"},"new":{"type":"integer"},"repeat":{"type":"integer"}}},
   "answer_rate":{"type":"object","required":["answered","reached_service","percent"],"description":"Calls a person accepted, of the calls in which she chose a service","properties":{"answered":{"type":"integer"},"reached_service":{"type":"integer"},"percent":{"type":"integer","nullable":True,"description":"Rounded half up; null with no such calls"}}},
   "time_to_person":{"type":"object","required":["calls","texts"],"properties":{"calls":{**ref("Spread"),"description":"From the call's start to a person accepting"},"texts":{**ref("Spread"),"description":"From her first text to the first staff reply queued to her"}}},
   "follow_ups":{"type":"object","required":["opened","answered","time_to_answer"],"description":"Follow-ups opened in the month; answered whenever","properties":{"opened":{"type":"integer"},"answered":{"type":"integer"},"time_to_answer":ref("Spread")}}}},
 "Consents":{"type":"object","required":["code","consents"],"properties":{"code":{"type":"string"},"consents":{"type":"array","items":ref("Consent")}}},
 "Gap":{"type":"object","required":["starts_at","ends_at"],"properties":{"starts_at":dt,"ends_at":dt}},
 "SwapInput":{"type":"object","required":["first","second"],"properties":{"first":ref("DutyRef"),"second":ref("DutyRef")}},
 "DutyRef":{"type":"object","required":["staff_id","service","starts_at"],"description":"A duty interval as /rota lists it","properties":{"staff_id":{"type":"integer"},"service":{"type":"string","enum":services},"starts_at":dt}},
}
def resp(desc): return {"description":desc,"content":{"application/json":{"schema":ref("Error")}}}
doc = {"openapi":"3.0.3","info":{"title":"hotline","version":"1","description":"The hotline's JSON API: staff, the duty rota, and who is on duty. Every request needs `Authorization: Bearer <token>` from `hotline token create`."},
 "security":[{"bearer":[]}],"paths":paths,
 "components":{"securitySchemes":{"bearer":{"type":"http","scheme":"bearer"}},"schemas":schemas,
   "responses":{"Unauthorized":resp("No valid bearer token"),"Invalid":resp("Invalid input; field names the field at fault"),"NotFound":resp("No such thing"),"Conflict":resp("Conflicts with what is there (a phone in use, two people at one position)")}}}
print(json.dumps(doc, indent=1, ensure_ascii=False))
