# Staff handbook written from a policy (service-policy doc).
# Arguments in { $… } are already written out: names as code, values in bold.
# $count and $n are numbers and select plural forms.

## The opening paragraph

intro-version = Policy version { $version }.
intro-timezone = Times of day are in the { $zone } time zone.
intro-effective = In force from { $date }.
intro-when = This policy covers the tickets where { $cond }.
intro-purpose = This handbook is written from the policy that the ticket system enforces, so the two always agree.

## Section headings

section-rules = Rules
section-calendars = Working hours
section-tables = Lookup tables
section-constants = Fixed values
section-ladder = Escalation ladder
section-record = What a ticket record holds

## Rules

rule-name = Rule { $name }.
rule-applies-always = This applies to every ticket.
rule-applies-when = This applies when { $cond }.
rule-applies-when-all = This applies when all of these hold:
rule-applies-when-any = This applies when any of these holds:
rule-unless = It does not apply when { $cond }.
rule-unless-all = It does not apply when all of these hold:
rule-unless-any = It does not apply when any of these holds:
rule-then = Then { $actions }.
rule-steps = What the rule asks:
first-of-heading = Only the first of these that applies
first-of-intro = { $count ->
    [1] The rule below is checked on its own.
   *[other] Check these { $count } rules in order: follow only the first one that applies to the ticket, and skip the others.
}

## Deadlines and limits

deadline = Deadline: { $done } within { $within }, counted from { $start }.
deadline-using = Only the working hours of { $calendar } count (see Working hours).
deadline-excluding = The clock stops during the periods in { $intervals }.
deadline-excluding-spans = The clock stops from each entry { $var } of { $list } for which { $cond } until the next entry, the entries taken in order of { $at }.
deadline-excluding-spans-all = The clock stops from the first entry { $var } of { $list } on, the entries taken in order of { $at }.
limit-at-most = Limit: { $value } may be at most { $max }.
limit-below = Limit: { $value } must stay below { $max }.
handler-at = When { $percent } of the time has passed and it is not done yet: { $actions }.
handler-breach = When the deadline is missed: { $actions }.
handler-after-breach = When the deadline has been missed by { $by } or more: { $actions }.
handler-met = When it is done in time: { $actions }.
handler-exceed = When it is more than that: { $actions }.
handler-exceed-below = When it reaches that or more: { $actions }.

## Actions

action-escalate = escalate to { $to }
action-notify = notify { $to }
action-assign = assign the ticket to { $to }
action-approval = get approval from { $from }
action-follow-up = follow up with the customer within { $within }
action-refund = refund { $amount }
action-compensate = give a goodwill credit of { $amount }
action-tag = tag the ticket { $tag }
action-set = set { $field } to { $value }
action-emit = send the event { $name }
action-with = { $action } ({ $details })
action-arg = { $key }: { $value }

## Calendars

calendar-intro = Open hours each week:
calendar-timezone = These hours are in the { $zone } time zone.
calendar-closed-day = closed
calendar-holidays = Closed all day on { $dates }.
column-day = Day
column-open = Open
day-mon = Monday
day-tue = Tuesday
day-wed = Wednesday
day-thu = Thursday
day-fri = Friday
day-sat = Saturday
day-sun = Sunday

## Tables and fixed values

tables-intro = Read a table from the top: the first row that matches the ticket gives the result.
column-result = Result
column-name = Name
column-value = Value
cell-any = any
cell-ne = anything but { $value }
cell-lt = less than { $value }
cell-le = { $value } or less
cell-gt = more than { $value }
cell-ge = { $value } or more

## The ladder

ladder-intro = Escalations go up this ladder, lowest first:
ladder-highest = When several rules escalate the same ticket, it goes to the highest level asked for.

## The record

record-intro = The rules read these fields of a ticket.
column-field = Field
column-holds = Holds
column-required = Always filled in
value-yes = yes
value-no = no
value-empty-text = empty text
type-text = text
type-number = a number
type-bool = yes or no
type-money = an amount of money
type-duration = a length of time
type-date = a date
type-time = a date and time
type-enum = one of { $values }
type-list = a list of { $element }
type-object = entries with { $fields }

## Conditions and values

expr-const = { $name } ({ $value })
expr-now = now
expr-not = it is not so that { $x }
expr-is-no = { $x } is no
expr-neg = minus { $x }
expr-percent-of = { $percent } of { $x }
expr-in = { $x } is { $list }
expr-not-in = { $x } is not { $list }
expr-in-list = { $list } includes { $x }
expr-not-in-list = { $list } does not include { $x }
expr-contains = { $x } contains { $y }
expr-mentions = { $x } mentions { $words }
expr-mentions-any-case = { $x } mentions { $words } (in any letter case)
expr-matches = { $x } matches the pattern { $pattern }
expr-is-missing = { $x } is empty
expr-is-present = { $x } is filled in
expr-during = { $x } falls in the working hours of { $calendar }
expr-or = { $x }, or { $y }
expr-and = { $x } and { $y }
expr-add = { $x } plus { $y }
expr-sub = { $x } minus { $y }
expr-mul = { $x } times { $y }
expr-div = { $x } divided by { $y }
expr-ago = { $duration } ago
expr-within-last = { $x } is within the last { $duration }
expr-eq = { $x } is { $y }
expr-ne = { $x } is not { $y }
expr-lt = { $x } is less than { $y }
expr-le = { $x } is at most { $y }
expr-gt = { $x } is more than { $y }
expr-ge = { $x } is at least { $y }
expr-before = { $x } is before { $y }
expr-not-after = { $x } is not after { $y }
expr-after = { $x } is after { $y }
expr-not-before = { $x } is not before { $y }
expr-table = the value from table { $table } for { $inputs } (see Lookup tables)
expr-len = the length of { $x }
expr-lower = { $x } in lower case
expr-upper = { $x } in capitals
expr-abs = the size of { $x } without its sign
expr-date = the date of { $x }
expr-weekday = the weekday of { $x }
expr-hour = the hour of { $x }
expr-count = the number of entries in { $x }
expr-sum = the total of { $x }
expr-min-of-list = the smallest of { $x }
expr-max-of-list = the largest of { $x }
expr-min = the smaller of { $items }
expr-max = the larger of { $items }
expr-business-time = the working time of { $calendar } between { $from } and { $to }
agg-count = the number of entries { $var } in { $list }
agg-count-where = the number of entries { $var } in { $list } for which { $body }
agg-sum = the total of { $body } over the entries { $var } of { $list }
agg-min = the smallest { $body } over the entries { $var } of { $list }
agg-max = the largest { $body } over the entries { $var } of { $list }
agg-any = { $body } for at least one entry { $var } of { $list }
agg-all = { $body } for every entry { $var } of { $list }
agg-filter = { $x } where { $cond }

## Lengths of time and lists

duration-weeks = { $n ->
    [1] { $n } week
   *[other] { $n } weeks
}
duration-days = { $n ->
    [1] { $n } day
   *[other] { $n } days
}
duration-hours = { $n ->
    [1] { $n } hour
   *[other] { $n } hours
}
duration-minutes = { $n ->
    [1] { $n } minute
   *[other] { $n } minutes
}
duration-seconds = { $n ->
    [1] { $n } second
   *[other] { $n } seconds
}
join-and = { $first } and { $last }
join-or = { $first } or { $last }
