# নীতি থেকে লেখা কর্মী হ্যান্ডবুক (service-policy doc)।
# { $… } এর আর্গুমেন্টগুলো আগেই লেখা থাকে: নাম কোড হিসেবে, মান মোটা অক্ষরে।

## শুরুর অনুচ্ছেদ

intro-version = নীতির সংস্করণ { $version }।
intro-timezone = দিনের সব সময় { $zone } সময় অঞ্চল অনুযায়ী।
intro-effective = { $date } থেকে কার্যকর।
intro-when = এই নীতি সেই টিকিটগুলোর জন্য, যেখানে { $cond }।
intro-purpose = টিকিট ব্যবস্থা যে নীতি প্রয়োগ করে, এই হ্যান্ডবুক সেই নীতি থেকেই লেখা, তাই দুটির মধ্যে কখনো অমিল হয় না।

## অংশের শিরোনাম

section-rules = নিয়ম
section-calendars = কাজের সময়
section-tables = সারণি
section-constants = নির্দিষ্ট মান
section-ladder = এসকেলেশনের ধাপ
section-record = টিকিটের রেকর্ডে কী থাকে

## নিয়ম

rule-name = নিয়ম { $name }।
rule-applies-always = এটি প্রতিটি টিকিটে প্রযোজ্য।
rule-applies-when = এটি প্রযোজ্য যখন { $cond }।
rule-applies-when-all = এটি প্রযোজ্য যখন এর সবগুলো সত্য:
rule-applies-when-any = এটি প্রযোজ্য যখন এর যেকোনো একটি সত্য:
rule-unless = এটি প্রযোজ্য নয় যখন { $cond }।
rule-unless-all = এটি প্রযোজ্য নয় যখন এর সবগুলো সত্য:
rule-unless-any = এটি প্রযোজ্য নয় যখন এর যেকোনো একটি সত্য:
rule-then = তখন { $actions }।
rule-steps = নিয়ম অনুযায়ী:
first-of-heading = এগুলোর মধ্যে শুধু প্রথম প্রযোজ্য নিয়মটি
first-of-intro = { $count ->
    [1] নিচের নিয়মটি আলাদাভাবে দেখা হয়।
   *[other] এই { $count }টি নিয়ম ক্রম অনুযায়ী দেখুন: টিকিটে যে নিয়মটি প্রথম প্রযোজ্য হয়, শুধু সেটিই মানুন, বাকিগুলো বাদ দিন।
}

## সময়সীমা ও সীমা

deadline = সময়সীমা: { $start } থেকে গুনে { $within } সময়ের মধ্যে { $done }।
deadline-using = শুধু { $calendar } এর কাজের সময় গোনা হয় (কাজের সময় দেখুন)।
deadline-excluding = { $intervals } এ থাকা সময়গুলোতে ঘড়ি থেমে থাকে।
deadline-excluding-spans = { $list } এর যেসব এন্ট্রি { $var } এর জন্য { $cond }, তাদের প্রতিটি থেকে পরের এন্ট্রি পর্যন্ত ঘড়ি থেমে থাকে; এন্ট্রিগুলো { $at } এর ক্রমে নেওয়া হয়।
deadline-excluding-spans-all = { $list } এর প্রথম এন্ট্রি { $var } থেকে ঘড়ি থেমে থাকে; এন্ট্রিগুলো { $at } এর ক্রমে নেওয়া হয়।
limit-at-most = সীমা: { $value } সর্বোচ্চ { $max } হতে পারে।
limit-below = সীমা: { $value } সবসময় { $max } এর কম থাকতে হবে।
handler-at = সময়ের { $percent } পেরিয়ে গেলে এবং কাজ তখনো শেষ না হলে: { $actions }।
handler-breach = সময়সীমা পেরিয়ে গেলে: { $actions }।
handler-after-breach = সময়সীমা পেরিয়ে { $by } বা তার বেশি হয়ে গেলে: { $actions }।
handler-met = কাজ সময়মতো শেষ হলে: { $actions }।
handler-exceed = এর বেশি হলে: { $actions }।
handler-exceed-below = এর সমান বা বেশি হলে: { $actions }।

## করণীয়

action-escalate = { $to } এর কাছে এসকেলেট করুন
action-notify = { $to } কে জানান
action-assign = টিকিটটি { $to } কে দিন
action-approval = { $from } এর অনুমোদন নিন
action-follow-up = { $within } সময়ের মধ্যে গ্রাহকের সঙ্গে আবার যোগাযোগ করুন
action-refund = { $amount } ফেরত দিন
action-compensate = { $amount } সৌজন্য ক্রেডিট দিন
action-tag = টিকিটে { $tag } ট্যাগ লাগান
action-set = { $field } এর মান { $value } করুন
action-emit = { $name } ইভেন্ট পাঠান
action-with = { $action } ({ $details })
action-arg = { $key }: { $value }

## ক্যালেন্ডার

calendar-intro = প্রতি সপ্তাহে খোলা থাকার সময়:
calendar-timezone = এই সময়গুলো { $zone } সময় অঞ্চল অনুযায়ী।
calendar-closed-day = বন্ধ
calendar-holidays = { $dates } তারিখে সারাদিন বন্ধ।
column-day = বার
column-open = খোলা
day-mon = সোমবার
day-tue = মঙ্গলবার
day-wed = বুধবার
day-thu = বৃহস্পতিবার
day-fri = শুক্রবার
day-sat = শনিবার
day-sun = রবিবার

## সারণি ও নির্দিষ্ট মান

tables-intro = সারণি ওপর থেকে পড়ুন: টিকিটের সঙ্গে প্রথম যে সারিটি মেলে, সেটিই ফল দেয়।
column-result = ফল
column-name = নাম
column-value = মান
cell-any = যেকোনো
cell-ne = { $value } ছাড়া যেকোনো
cell-lt = { $value } এর কম
cell-le = { $value } বা তার কম
cell-gt = { $value } এর বেশি
cell-ge = { $value } বা তার বেশি

## ধাপ

ladder-intro = এসকেলেশন এই ধাপগুলো ধরে নিচ থেকে ওপরে যায়:
ladder-highest = একাধিক নিয়ম একই টিকিট এসকেলেট করলে টিকিটটি চাওয়া সবচেয়ে উঁচু ধাপে যায়।

## রেকর্ড

record-intro = নিয়মগুলো টিকিটের এই ফিল্ডগুলো পড়ে।
column-field = ফিল্ড
column-holds = কী থাকে
column-required = সবসময় পূরণ করা
value-yes = হ্যাঁ
value-no = না
value-empty-text = খালি লেখা
type-text = লেখা
type-number = একটি সংখ্যা
type-bool = হ্যাঁ বা না
type-money = টাকার অঙ্ক
type-duration = সময়ের দৈর্ঘ্য
type-date = একটি তারিখ
type-time = তারিখ ও সময়
type-enum = { $values } এর মধ্যে একটি
type-list = { $element } এর তালিকা
type-object = এমন এন্ট্রি যাতে আছে { $fields }

## শর্ত ও মান

expr-const = { $name } ({ $value })
expr-now = এখন
expr-not = এমন নয় যে { $x }
expr-is-no = { $x } "না"
expr-neg = ঋণাত্মক { $x }
expr-percent-of = { $x } এর { $percent }
expr-in = { $x } হলো { $list }
expr-not-in = { $x } { $list } নয়
expr-in-list = { $list } এ { $x } আছে
expr-not-in-list = { $list } এ { $x } নেই
expr-contains = { $x } এ { $y } আছে
expr-mentions = { $x } এ { $words } এর উল্লেখ আছে
expr-mentions-any-case = { $x } এ { $words } এর উল্লেখ আছে (অক্ষর ছোট বা বড় যা-ই হোক)
expr-matches = { $x } { $pattern } প্যাটার্নের সঙ্গে মেলে
expr-is-missing = { $x } খালি
expr-is-present = { $x } পূরণ করা আছে
expr-during = { $x } { $calendar } এর কাজের সময়ের মধ্যে পড়ে
expr-or = { $x }, অথবা { $y }
expr-and = { $x } এবং { $y }
expr-add = { $x } যোগ { $y }
expr-sub = { $x } বিয়োগ { $y }
expr-mul = { $x } গুণ { $y }
expr-div = { $x } ভাগ { $y }
expr-ago = { $duration } আগে
expr-within-last = { $x } গত { $duration } সময়ের মধ্যে
expr-eq = { $x } হলো { $y }
expr-ne = { $x } { $y } নয়
expr-lt = { $x } { $y } এর কম
expr-le = { $x } সর্বোচ্চ { $y }
expr-gt = { $x } { $y } এর বেশি
expr-ge = { $x } অন্তত { $y }
expr-before = { $x } { $y } এর আগে
expr-not-after = { $x } { $y } এর পরে নয়
expr-after = { $x } { $y } এর পরে
expr-not-before = { $x } { $y } এর আগে নয়
expr-table = { $inputs } এর জন্য { $table } সারণির মান (সারণি দেখুন)
expr-len = { $x } এর দৈর্ঘ্য
expr-lower = ছোট হাতের অক্ষরে { $x }
expr-upper = বড় হাতের অক্ষরে { $x }
expr-abs = চিহ্ন বাদে { $x } এর মান
expr-date = { $x } এর তারিখ
expr-weekday = { $x } এর বার
expr-hour = { $x } এর ঘণ্টা
expr-count = { $x } এ এন্ট্রির সংখ্যা
expr-sum = { $x } এর মোট
expr-min-of-list = { $x } এর মধ্যে সবচেয়ে ছোট মান
expr-max-of-list = { $x } এর মধ্যে সবচেয়ে বড় মান
expr-min = { $items } এর মধ্যে ছোটটি
expr-max = { $items } এর মধ্যে বড়টি
expr-business-time = { $from } থেকে { $to } পর্যন্ত { $calendar } এর কাজের সময়
agg-count = { $list } এ এন্ট্রি { $var } এর সংখ্যা
agg-count-where = { $list } এর যেসব এন্ট্রি { $var } এর জন্য { $body }, তাদের সংখ্যা
agg-sum = { $list } এর সব এন্ট্রি { $var } এর { $body } এর মোট
agg-min = { $list } এর এন্ট্রি { $var } গুলোর মধ্যে সবচেয়ে ছোট { $body }
agg-max = { $list } এর এন্ট্রি { $var } গুলোর মধ্যে সবচেয়ে বড় { $body }
agg-any = { $list } এর অন্তত একটি এন্ট্রি { $var } এর জন্য { $body }
agg-all = { $list } এর প্রতিটি এন্ট্রি { $var } এর জন্য { $body }
agg-filter = { $x }, যেখানে { $cond }

## সময়ের দৈর্ঘ্য ও তালিকা

duration-weeks = { $n } সপ্তাহ
duration-days = { $n } দিন
duration-hours = { $n } ঘণ্টা
duration-minutes = { $n } মিনিট
duration-seconds = { $n } সেকেন্ড
join-and = { $first } ও { $last }
join-or = { $first } অথবা { $last }
