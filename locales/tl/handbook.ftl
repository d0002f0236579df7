# Handbook ng mga kawani na isinulat mula sa patakaran (service-policy doc).
# Nakasulat na ang mga argumento sa { $… }: mga pangalan bilang code, mga halaga nang makapal.

## Panimulang talata

intro-version = Bersyon ng patakaran: { $version }.
intro-timezone = Ang mga oras ay ayon sa time zone na { $zone }.
intro-effective = Ipinatutupad mula { $date }.
intro-when = Para ang patakarang ito sa mga ticket kung saan { $cond }.
intro-purpose = Isinulat ang handbook na ito mula mismo sa patakarang ipinatutupad ng ticket system, kaya laging magkatugma ang dalawa.

## Mga pamagat ng bahagi

section-rules = Mga panuntunan
section-calendars = Oras ng trabaho
section-tables = Mga talahanayan
section-constants = Mga takdang halaga
section-ladder = Hagdan ng escalation
section-record = Ang laman ng record ng ticket

## Mga panuntunan

rule-name = Panuntunang { $name }.
rule-applies-always = Para ito sa bawat ticket.
rule-applies-when = Ipinatutupad ito kapag { $cond }.
rule-applies-when-all = Ipinatutupad ito kapag totoo ang lahat ng ito:
rule-applies-when-any = Ipinatutupad ito kapag totoo ang kahit isa sa mga ito:
rule-unless = Hindi ito ipinatutupad kapag { $cond }.
rule-unless-all = Hindi ito ipinatutupad kapag totoo ang lahat ng ito:
rule-unless-any = Hindi ito ipinatutupad kapag totoo ang kahit isa sa mga ito:
rule-then = Pagkatapos, { $actions }.
rule-steps = Ang hinihingi ng panuntunan:
first-of-heading = Ang una lamang sa mga ito na tumutugma
first-of-intro = { $count ->
    [1] Mag-isang sinusuri ang panuntunan sa ibaba.
   *[other] Suriin nang sunud-sunod ang { $count } panuntunang ito: sundin lamang ang unang tumutugma sa ticket, at laktawan ang iba.
}

## Mga deadline at limitasyon

deadline = Deadline: { $done } sa loob ng { $within }, bilang mula sa { $start }.
deadline-using = Ang oras ng trabaho lamang ng { $calendar } ang binibilang (tingnan ang Oras ng trabaho).
deadline-excluding = Humihinto ang orasan sa mga panahong nakatala sa { $intervals }.
deadline-excluding-spans = Humihinto ang orasan mula sa bawat entry na { $var } ng { $list } kung saan { $cond } hanggang sa susunod na entry; inaayos ang mga entry ayon sa { $at }.
deadline-excluding-spans-all = Humihinto ang orasan mula sa unang entry na { $var } ng { $list }; inaayos ang mga entry ayon sa { $at }.
limit-at-most = Limitasyon: hanggang { $max } lamang ang { $value }.
limit-below = Limitasyon: dapat laging mas mababa sa { $max } ang { $value }.
handler-at = Kapag lumipas na ang { $percent } ng oras at hindi pa ito tapos: { $actions }.
handler-breach = Kapag nalampasan ang deadline: { $actions }.
handler-after-breach = Kapag nalampasan ang deadline nang { $by } o higit pa: { $actions }.
handler-met = Kapag natapos ito sa oras: { $actions }.
handler-exceed = Kapag higit pa roon: { $actions }.
handler-exceed-below = Kapag umabot doon o higit pa: { $actions }.

## Mga aksyon

action-escalate = i-escalate sa { $to }
action-notify = abisuhan ang { $to }
action-assign = ibigay ang ticket sa { $to }
action-approval = kumuha ng pag-apruba mula sa { $from }
action-follow-up = balikan ang customer sa loob ng { $within }
action-refund = mag-refund ng { $amount }
action-compensate = magbigay ng goodwill credit na { $amount }
action-tag = lagyan ang ticket ng tag na { $tag }
action-set = itakda ang { $field } sa { $value }
action-emit = ipadala ang event na { $name }
action-with = { $action } ({ $details })
action-arg = { $key }: { $value }

## Mga kalendaryo

calendar-intro = Oras ng pagbubukas bawat linggo:
calendar-timezone = Ang mga oras na ito ay ayon sa time zone na { $zone }.
calendar-closed-day = sarado
calendar-holidays = Sarado buong araw sa { $dates }.
column-day = Araw
column-open = Bukas
day-mon = Lunes
day-tue = Martes
day-wed = Miyerkoles
day-thu = Huwebes
day-fri = Biyernes
day-sat = Sabado
day-sun = Linggo

## Mga talahanayan at takdang halaga

tables-intro = Basahin ang talahanayan mula sa itaas: ang unang hanay na tumutugma sa ticket ang nagbibigay ng resulta.
column-result = Resulta
column-name = Pangalan
column-value = Halaga
cell-any = kahit ano
cell-ne = kahit ano maliban sa { $value }
cell-lt = mas mababa sa { $value }
cell-le = { $value } o mas mababa
cell-gt = higit sa { $value }
cell-ge = { $value } o higit pa

## Ang hagdan

ladder-intro = Umaakyat ang escalation sa hagdang ito, mula sa pinakamababa:
ladder-highest = Kapag maraming panuntunan ang nag-escalate sa iisang ticket, napupunta ito sa pinakamataas na antas na hiningi.

## Ang record

record-intro = Binabasa ng mga panuntunan ang mga field na ito ng ticket.
column-field = Field
column-holds = Laman
column-required = Laging may laman
value-yes = oo
value-no = hindi
value-empty-text = walang lamang teksto
type-text = teksto
type-number = isang numero
type-bool = oo o hindi
type-money = halaga ng pera
type-duration = haba ng oras
type-date = petsa
type-time = petsa at oras
type-enum = isa sa { $values }
type-list = listahan ng { $element }
type-object = mga entry na may { $fields }

## Mga kondisyon at halaga

expr-const = { $name } ({ $value })
expr-now = ngayon
expr-not = hindi totoo na { $x }
expr-is-no = "hindi" ang { $x }
expr-neg = negatibong { $x }
expr-percent-of = { $percent } ng { $x }
expr-in = { $x } ay { $list }
expr-not-in = { $x } ay hindi { $list }
expr-in-list = kasama sa { $list } ang { $x }
expr-not-in-list = hindi kasama sa { $list } ang { $x }
expr-contains = may { $y } sa { $x }
expr-mentions = binabanggit sa { $x } ang { $words }
expr-mentions-any-case = binabanggit sa { $x } ang { $words } (malaki man o maliit na titik)
expr-matches = tumutugma ang { $x } sa pattern na { $pattern }
expr-is-missing = walang laman ang { $x }
expr-is-present = may laman ang { $x }
expr-during = pasok ang { $x } sa oras ng trabaho ng { $calendar }
expr-or = { $x }, o { $y }
expr-and = { $x } at { $y }
expr-add = { $x } dagdag ang { $y }
expr-sub = { $x } bawas ang { $y }
expr-mul = { $x } na pinarami nang { $y }
expr-div = { $x } na hinati sa { $y }
expr-ago = { $duration } na ang nakalipas
expr-within-last = { $x } ay sa loob ng huling { $duration }
expr-eq = { $x } ay { $y }
expr-ne = { $x } ay hindi { $y }
expr-lt = { $x } ay mas mababa sa { $y }
expr-le = { $x } ay hindi hihigit sa { $y }
expr-gt = { $x } ay higit sa { $y }
expr-ge = { $x } ay hindi bababa sa { $y }
expr-before = { $x } ay bago ang { $y }
expr-not-after = { $x } ay hindi lalampas sa { $y }
expr-after = { $x } ay pagkatapos ng { $y }
expr-not-before = { $x } ay hindi mas maaga sa { $y }
expr-table = halaga sa talahanayang { $table } para sa { $inputs } (tingnan ang Mga talahanayan)
expr-len = haba ng { $x }
expr-lower = { $x } sa maliliit na titik
expr-upper = { $x } sa malalaking titik
expr-abs = laki ng { $x } nang walang sign
expr-date = petsa ng { $x }
expr-weekday = araw ng linggo ng { $x }
expr-hour = oras ng { $x }
expr-count = bilang ng mga entry sa { $x }
expr-sum = kabuuan ng { $x }
expr-min-of-list = pinakamaliit sa { $x }
expr-max-of-list = pinakamalaki sa { $x }
expr-min = mas maliit sa { $items }
expr-max = mas malaki sa { $items }
expr-business-time = oras ng trabaho ng { $calendar } mula { $from } hanggang { $to }
agg-count = bilang ng mga entry na { $var } sa { $list }
agg-count-where = bilang ng mga entry na { $var } sa { $list } kung saan { $body }
agg-sum = kabuuan ng { $body } sa bawat entry na { $var } ng { $list }
agg-min = pinakamaliit na { $body } sa mga entry na { $var } ng { $list }
agg-max = pinakamalaking { $body } sa mga entry na { $var } ng { $list }
agg-any = { $body } para sa kahit isang entry na { $var } ng { $list }
agg-all = { $body } para sa bawat entry na { $var } ng { $list }
agg-filter = { $x } kung saan { $cond }

## Haba ng oras at mga listahan

duration-weeks = { $n } linggo
duration-days = { $n } araw
duration-hours = { $n } oras
duration-minutes = { $n } minuto
duration-seconds = { $n } segundo
join-and = { $first } at { $last }
join-or = { $first } o { $last }
