# नीति से लिखी गई कर्मचारी पुस्तिका (service-policy doc)।
# { $… } में दिए तर्क पहले से लिखे होते हैं: नाम कोड के रूप में, मान मोटे अक्षरों में।

## शुरुआती अनुच्छेद

intro-version = नीति संस्करण { $version }।
intro-timezone = दिन के सभी समय { $zone } समय क्षेत्र के अनुसार हैं।
intro-effective = { $date } से लागू।
intro-when = यह नीति उन टिकटों के लिए है जिनमें { $cond }।
intro-purpose = यह पुस्तिका उसी नीति से लिखी गई है जिसे टिकट प्रणाली लागू करती है, इसलिए दोनों में कभी अंतर नहीं होता।

## खंडों के शीर्षक

section-rules = नियम
section-calendars = कामकाजी घंटे
section-tables = तालिकाएँ
section-constants = तय मान
section-ladder = एस्केलेशन की सीढ़ी
section-record = टिकट के रिकॉर्ड में क्या होता है

## नियम

rule-name = नियम { $name }।
rule-applies-always = यह हर टिकट पर लागू होता है।
rule-applies-when = यह तब लागू होता है जब { $cond }।
rule-applies-when-all = यह तब लागू होता है जब ये सभी बातें सही हों:
rule-applies-when-any = यह तब लागू होता है जब इनमें से कोई भी एक बात सही हो:
rule-unless = यह तब लागू नहीं होता जब { $cond }।
rule-unless-all = यह तब लागू नहीं होता जब ये सभी बातें सही हों:
rule-unless-any = यह तब लागू नहीं होता जब इनमें से कोई भी एक बात सही हो:
rule-then = तब { $actions }।
rule-steps = नियम के अनुसार:
first-of-heading = इनमें से केवल पहला लागू होने वाला नियम
first-of-intro = { $count ->
    [1] नीचे दिया नियम अकेले जाँचा जाता है।
   *[other] इन { $count } नियमों को क्रम से जाँचें: टिकट पर जो नियम सबसे पहले लागू हो, केवल उसी का पालन करें और बाकी को छोड़ दें।
}

## समय-सीमा और सीमाएँ

deadline = समय-सीमा: { $start } से गिनकर { $within } के भीतर { $done }।
deadline-using = केवल { $calendar } के कामकाजी घंटे गिने जाते हैं (कामकाजी घंटे देखें)।
deadline-excluding = { $intervals } में दर्ज अवधियों के दौरान घड़ी रुकी रहती है।
deadline-excluding-spans = { $list } की हर उस प्रविष्टि { $var } से, जिसके लिए { $cond }, अगली प्रविष्टि तक घड़ी रुकी रहती है; प्रविष्टियाँ { $at } के क्रम में ली जाती हैं।
deadline-excluding-spans-all = { $list } की पहली प्रविष्टि { $var } से घड़ी रुकी रहती है; प्रविष्टियाँ { $at } के क्रम में ली जाती हैं।
limit-at-most = सीमा: { $value } अधिकतम { $max } हो सकता है।
limit-below = सीमा: { $value } हमेशा { $max } से कम रहना चाहिए।
handler-at = जब { $percent } समय बीत जाए और काम अभी पूरा न हुआ हो: { $actions }।
handler-breach = समय-सीमा चूकने पर: { $actions }।
handler-after-breach = समय-सीमा चूके { $by } या उससे ज़्यादा हो जाने पर: { $actions }।
handler-met = काम समय पर पूरा होने पर: { $actions }।
handler-exceed = इससे ज़्यादा होने पर: { $actions }।
handler-exceed-below = इसके बराबर या इससे ज़्यादा होने पर: { $actions }।

## कार्रवाइयाँ

action-escalate = { $to } को एस्केलेट करें
action-notify = { $to } को सूचित करें
action-assign = टिकट { $to } को सौंपें
action-approval = { $from } से मंज़ूरी लें
action-follow-up = { $within } के भीतर ग्राहक से दोबारा संपर्क करें
action-refund = { $amount } का रिफंड दें
action-compensate = { $amount } का सद्भावना क्रेडिट दें
action-tag = टिकट पर { $tag } टैग लगाएँ
action-set = { $field } को { $value } पर सेट करें
action-emit = { $name } इवेंट भेजें
action-with = { $action } ({ $details })
action-arg = { $key }: { $value }

## कैलेंडर

calendar-intro = हर सप्ताह खुलने का समय:
calendar-timezone = ये घंटे { $zone } समय क्षेत्र के अनुसार हैं।
calendar-closed-day = बंद
calendar-holidays = { $dates } को पूरे दिन बंद।
column-day = दिन
column-open = खुला
day-mon = सोमवार
day-tue = मंगलवार
day-wed = बुधवार
day-thu = गुरुवार
day-fri = शुक्रवार
day-sat = शनिवार
day-sun = रविवार

## तालिकाएँ और तय मान

tables-intro = तालिका को ऊपर से पढ़ें: टिकट से मेल खाने वाली पहली पंक्ति ही परिणाम देती है।
column-result = परिणाम
column-name = नाम
column-value = मान
cell-any = कोई भी
cell-ne = { $value } के अलावा कुछ भी
cell-lt = { $value } से कम
cell-le = { $value } या उससे कम
cell-gt = { $value } से ज़्यादा
cell-ge = { $value } या उससे ज़्यादा

## सीढ़ी

ladder-intro = एस्केलेशन इस सीढ़ी पर नीचे से ऊपर की ओर जाता है:
ladder-highest = जब कई नियम एक ही टिकट को एस्केलेट करें, तो टिकट माँगे गए सबसे ऊँचे स्तर पर जाता है।

## रिकॉर्ड

record-intro = नियम टिकट के ये फ़ील्ड पढ़ते हैं।
column-field = फ़ील्ड
column-holds = क्या होता है
column-required = हमेशा भरा होता है
value-yes = हाँ
value-no = नहीं
value-empty-text = खाली पाठ
type-text = पाठ
type-number = एक संख्या
type-bool = हाँ या नहीं
type-money = एक धनराशि
type-duration = समय की अवधि
type-date = एक तारीख़
type-time = तारीख़ और समय
type-enum = { $values } में से एक
type-list = { $element } की सूची
type-object = प्रविष्टियाँ जिनमें { $fields } हों

## शर्तें और मान

expr-const = { $name } ({ $value })
expr-now = अभी
expr-not = ऐसा नहीं है कि { $x }
expr-is-no = { $x } "नहीं" है
expr-neg = ऋण { $x }
expr-percent-of = { $percent } ({ $x } का)
expr-in = { $x } { $list } है
expr-not-in = { $x } { $list } नहीं है
expr-in-list = { $list } में { $x } शामिल है
expr-not-in-list = { $list } में { $x } शामिल नहीं है
expr-contains = { $x } में { $y } है
expr-mentions = { $x } में { $words } का ज़िक्र है
expr-mentions-any-case = { $x } में { $words } का ज़िक्र है (अक्षर छोटे हों या बड़े)
expr-matches = { $x } पैटर्न { $pattern } से मेल खाता है
expr-is-missing = { $x } खाली है
expr-is-present = { $x } भरा हुआ है
expr-during = { $x } { $calendar } के कामकाजी घंटों में आता है
expr-or = { $x }, या { $y }
expr-and = { $x } और { $y }
expr-add = { $x } जोड़ { $y }
expr-sub = { $x } घटा { $y }
expr-mul = { $x } गुणा { $y }
expr-div = { $x } भाग { $y }
expr-ago = { $duration } पहले
expr-within-last = { $x } पिछले { $duration } के भीतर है
expr-eq = { $x } { $y } है
expr-ne = { $x } { $y } नहीं है
expr-lt = { $x } { $y } से कम है
expr-le = { $x } अधिकतम { $y } है
expr-gt = { $x } { $y } से ज़्यादा है
expr-ge = { $x } कम से कम { $y } है
expr-before = { $x } { $y } से पहले है
expr-not-after = { $x } { $y } के बाद का नहीं है
expr-after = { $x } { $y } के बाद है
expr-not-before = { $x } { $y } से पहले का नहीं है
expr-table = तालिका { $table } में { $inputs } के अनुसार तय मान (तालिकाएँ देखें)
expr-len = { $x } की लंबाई
expr-lower = छोटे अक्षरों में { $x }
expr-upper = बड़े अक्षरों में { $x }
expr-abs = चिह्न के बिना { $x } का मान
expr-date = { $x } की तारीख़
expr-weekday = { $x } का दिन
expr-hour = { $x } का घंटा
expr-count = { $x } में प्रविष्टियों की संख्या
expr-sum = { $x } का योग
expr-min-of-list = { $x } में सबसे छोटा मान
expr-max-of-list = { $x } में सबसे बड़ा मान
expr-min = { $items } में से छोटा
expr-max = { $items } में से बड़ा
expr-business-time = { $from } और { $to } के बीच { $calendar } का कामकाजी समय
agg-count = { $list } में प्रविष्टियों { $var } की संख्या
agg-count-where = { $list } की उन प्रविष्टियों { $var } की संख्या जिनके लिए { $body }
agg-sum = { $list } की सभी प्रविष्टियों { $var } के { $body } का योग
agg-min = { $list } की प्रविष्टियों { $var } में सबसे छोटा { $body }
agg-max = { $list } की प्रविष्टियों { $var } में सबसे बड़ा { $body }
agg-any = { $list } की कम से कम एक प्रविष्टि { $var } के लिए { $body }
agg-all = { $list } की हर प्रविष्टि { $var } के लिए { $body }
agg-filter = { $x }, जहाँ { $cond }

## समय की अवधि और सूचियाँ

duration-weeks = { $n } सप्ताह
duration-days = { $n } दिन
duration-hours = { $n ->
    [1] { $n } घंटा
   *[other] { $n } घंटे
}
duration-minutes = { $n } मिनट
duration-seconds = { $n } सेकंड
join-and = { $first } और { $last }
join-or = { $first } या { $last }
