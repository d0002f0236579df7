# கொள்கையிலிருந்து எழுதப்படும் பணியாளர் கையேடு (service-policy doc).
# { $… } இல் உள்ளவை ஏற்கெனவே எழுதப்பட்டவை: பெயர்கள் குறியீடாக, மதிப்புகள் தடித்த எழுத்தில்.

## தொடக்கப் பத்தி

intro-version = கொள்கைப் பதிப்பு { $version }.
intro-timezone = நாளின் நேரங்கள் அனைத்தும் { $zone } நேர மண்டலத்தின்படி.
intro-effective = { $date } முதல் நடைமுறையில் உள்ளது.
intro-when = { $cond } என்ற டிக்கெட்டுகளுக்கு இந்தக் கொள்கை பொருந்தும்.
intro-purpose = டிக்கெட் அமைப்பு செயல்படுத்தும் அதே கொள்கையிலிருந்து இந்தக் கையேடு எழுதப்படுகிறது; எனவே இரண்டும் எப்போதும் ஒத்துப்போகும்.

## பகுதித் தலைப்புகள்

section-rules = விதிகள்
section-calendars = வேலை நேரம்
section-tables = அட்டவணைகள்
section-constants = நிலையான மதிப்புகள்
section-ladder = எஸ்கலேஷன் படிநிலை
section-record = டிக்கெட் பதிவில் என்ன இருக்கும்

## விதிகள்

rule-name = விதி { $name }.
rule-applies-always = இது ஒவ்வொரு டிக்கெட்டுக்கும் பொருந்தும்.
rule-applies-when = { $cond } என்றால் இது பொருந்தும்.
rule-applies-when-all = இவை அனைத்தும் உண்மையானால் இது பொருந்தும்:
rule-applies-when-any = இவற்றில் ஏதேனும் ஒன்று உண்மையானால் இது பொருந்தும்:
rule-unless = { $cond } என்றால் இது பொருந்தாது.
rule-unless-all = இவை அனைத்தும் உண்மையானால் இது பொருந்தாது:
rule-unless-any = இவற்றில் ஏதேனும் ஒன்று உண்மையானால் இது பொருந்தாது:
rule-then = அப்போது { $actions }.
rule-steps = விதியின்படி:
first-of-heading = இவற்றில் முதலில் பொருந்துவது மட்டும்
first-of-intro = { $count ->
    [1] கீழே உள்ள விதி தனியாகச் சரிபார்க்கப்படும்.
   *[other] இந்த { $count } விதிகளையும் வரிசையாகச் சரிபாருங்கள்: டிக்கெட்டுக்கு முதலில் பொருந்தும் விதியை மட்டும் பின்பற்றுங்கள்; மற்றவற்றை விட்டுவிடுங்கள்.
}

## காலக்கெடுகளும் வரம்புகளும்

deadline = காலக்கெடு: { $start } முதல் கணக்கிட்டு { $within } நேரத்திற்குள் { $done }.
deadline-using = { $calendar } இன் வேலை நேரம் மட்டுமே கணக்கில் சேரும் (வேலை நேரம் பகுதியைப் பாருங்கள்).
deadline-excluding = { $intervals } இல் உள்ள காலங்களில் கடிகாரம் நின்றிருக்கும்.
deadline-excluding-spans = { $list } இல் { $cond } ஆக உள்ள ஒவ்வொரு பதிவு { $var } இலிருந்தும் அடுத்த பதிவு வரை கடிகாரம் நின்றிருக்கும்; பதிவுகள் { $at } வரிசையில் எடுக்கப்படும்.
deadline-excluding-spans-all = { $list } இன் முதல் பதிவு { $var } இலிருந்து கடிகாரம் நின்றிருக்கும்; பதிவுகள் { $at } வரிசையில் எடுக்கப்படும்.
limit-at-most = வரம்பு: { $value } அதிகபட்சம் { $max } வரை இருக்கலாம்.
limit-below = வரம்பு: { $value } எப்போதும் { $max } ஐ விடக் குறைவாக இருக்க வேண்டும்.
handler-at = நேரத்தில் { $percent } கடந்தும் வேலை முடியவில்லை என்றால்: { $actions }.
handler-breach = காலக்கெடு தவறினால்: { $actions }.
handler-after-breach = காலக்கெடு தவறி { $by } அல்லது அதற்கு மேல் ஆனால்: { $actions }.
handler-met = நேரத்துக்குள் முடிந்தால்: { $actions }.
handler-exceed = அதை விட அதிகமானால்: { $actions }.
handler-exceed-below = அதற்குச் சமமாகவோ அதிகமாகவோ ஆனால்: { $actions }.

## செயல்கள்

action-escalate = { $to } இடம் எஸ்கலேட் செய்யுங்கள்
action-notify = { $to } க்குத் தெரிவியுங்கள்
action-assign = டிக்கெட்டை { $to } க்கு ஒதுக்குங்கள்
action-approval = { $from } இடம் ஒப்புதல் பெறுங்கள்
action-follow-up = { $within } நேரத்திற்குள் வாடிக்கையாளரை மீண்டும் தொடர்பு கொள்ளுங்கள்
action-refund = { $amount } பணத்தைத் திருப்பிக் கொடுங்கள்
action-compensate = { $amount } நல்லெண்ண வரவாகக் கொடுங்கள்
action-tag = டிக்கெட்டுக்கு { $tag } குறிச்சொல் இடுங்கள்
action-set = { $field } ஐ { $value } என அமையுங்கள்
action-emit = { $name } நிகழ்வை அனுப்புங்கள்
action-with = { $action } ({ $details })
action-arg = { $key }: { $value }

## நாட்காட்டிகள்

calendar-intro = ஒவ்வொரு வாரமும் திறந்திருக்கும் நேரம்:
calendar-timezone = இந்த நேரங்கள் { $zone } நேர மண்டலத்தின்படி.
calendar-closed-day = விடுமுறை
calendar-holidays = { $dates } அன்று நாள் முழுவதும் மூடியிருக்கும்.
column-day = நாள்
column-open = திறந்திருக்கும் நேரம்
day-mon = திங்கள்
day-tue = செவ்வாய்
day-wed = புதன்
day-thu = வியாழன்
day-fri = வெள்ளி
day-sat = சனி
day-sun = ஞாயிறு

## அட்டவணைகளும் நிலையான மதிப்புகளும்

tables-intro = அட்டவணையை மேலிருந்து படியுங்கள்: டிக்கெட்டுடன் பொருந்தும் முதல் வரிசையே முடிவைத் தரும்.
column-result = முடிவு
column-name = பெயர்
column-value = மதிப்பு
cell-any = எதுவும்
cell-ne = { $value } தவிர எதுவும்
cell-lt = { $value } க்குக் குறைவு
cell-le = { $value } அல்லது குறைவு
cell-gt = { $value } க்கு மேல்
cell-ge = { $value } அல்லது அதிகம்

## படிநிலை

ladder-intro = எஸ்கலேஷன் இந்தப் படிநிலையில் கீழிருந்து மேலே செல்லும்:
ladder-highest = ஒரே டிக்கெட்டைப் பல விதிகள் எஸ்கலேட் செய்தால், கேட்கப்பட்டவற்றில் மிக உயர்ந்த நிலைக்கே அது செல்லும்.

## பதிவு

record-intro = விதிகள் டிக்கெட்டின் இந்தப் புலங்களைப் படிக்கின்றன.
column-field = புலம்
column-holds = உள்ளடக்கம்
column-required = எப்போதும் நிரப்பப்படும்
value-yes = ஆம்
value-no = இல்லை
value-empty-text = வெற்று உரை
type-text = உரை
type-number = ஓர் எண்
type-bool = ஆம் அல்லது இல்லை
type-money = ஒரு தொகை
type-duration = கால அளவு
type-date = ஒரு தேதி
type-time = தேதியும் நேரமும்
type-enum = { $values } இவற்றில் ஒன்று
type-list = { $element } பட்டியல்
type-object = { $fields } கொண்ட பதிவுகள்

## நிபந்தனைகளும் மதிப்புகளும்

expr-const = { $name } ({ $value })
expr-now = இப்போது
expr-not = { $x } என்பது உண்மையல்ல
expr-is-no = { $x } "இல்லை"
expr-neg = எதிர்மறை { $x }
expr-percent-of = { $x } இன் { $percent }
expr-in = { $x } { $list } ஆக உள்ளது
expr-not-in = { $x } { $list } அல்ல
expr-in-list = { $list } இல் { $x } உள்ளது
expr-not-in-list = { $list } இல் { $x } இல்லை
expr-contains = { $x } இல் { $y } உள்ளது
expr-mentions = { $x } இல் { $words } குறிப்பிடப்பட்டுள்ளது
expr-mentions-any-case = { $x } இல் { $words } குறிப்பிடப்பட்டுள்ளது (எழுத்துகள் பெரியவையோ சிறியவையோ)
expr-matches = { $x } { $pattern } என்ற வடிவத்துடன் பொருந்துகிறது
expr-is-missing = { $x } காலியாக உள்ளது
expr-is-present = { $x } நிரப்பப்பட்டுள்ளது
expr-during = { $x } { $calendar } இன் வேலை நேரத்துக்குள் வருகிறது
expr-or = { $x }, அல்லது { $y }
expr-and = { $x } மற்றும் { $y }
expr-add = { $x } கூட்டல் { $y }
expr-sub = { $x } கழித்தல் { $y }
expr-mul = { $x } பெருக்கல் { $y }
expr-div = { $x } வகுத்தல் { $y }
expr-ago = { $duration } முன்பு
expr-within-last = { $x } கடந்த { $duration } காலத்திற்குள் உள்ளது
expr-eq = { $x } { $y } ஆக உள்ளது
expr-ne = { $x } { $y } அல்ல
expr-lt = { $x } { $y } ஐ விடக் குறைவு
expr-le = { $x } அதிகபட்சம் { $y }
expr-gt = { $x } { $y } ஐ விட அதிகம்
expr-ge = { $x } குறைந்தது { $y }
expr-before = { $x } { $y } க்கு முன்
expr-not-after = { $x } { $y } க்குப் பின் அல்ல
expr-after = { $x } { $y } க்குப் பின்
expr-not-before = { $x } { $y } க்கு முன் அல்ல
expr-table = { $inputs } க்கு { $table } அட்டவணை தரும் மதிப்பு (அட்டவணைகள் பகுதியைப் பாருங்கள்)
expr-len = { $x } இன் நீளம்
expr-lower = சிறிய எழுத்துகளில் { $x }
expr-upper = பெரிய எழுத்துகளில் { $x }
expr-abs = குறி இல்லாமல் { $x } இன் அளவு
expr-date = { $x } இன் தேதி
expr-weekday = { $x } இன் கிழமை
expr-hour = { $x } இன் மணி
expr-count = { $x } இல் உள்ள பதிவுகளின் எண்ணிக்கை
expr-sum = { $x } இன் மொத்தம்
expr-min-of-list = { $x } இல் மிகச் சிறிய மதிப்பு
expr-max-of-list = { $x } இல் மிகப் பெரிய மதிப்பு
expr-min = { $items } இவற்றில் சிறியது
expr-max = { $items } இவற்றில் பெரியது
expr-business-time = { $from } முதல் { $to } வரை { $calendar } இன் வேலை நேரம்
agg-count = { $list } இல் உள்ள பதிவுகள் { $var } இன் எண்ணிக்கை
agg-count-where = { $list } இல் { $body } ஆக உள்ள பதிவுகள் { $var } இன் எண்ணிக்கை
agg-sum = { $list } இன் எல்லாப் பதிவுகள் { $var } இன் { $body } மொத்தம்
agg-min = { $list } இன் பதிவுகள் { $var } இல் மிகச் சிறிய { $body }
agg-max = { $list } இன் பதிவுகள் { $var } இல் மிகப் பெரிய { $body }
agg-any = { $list } இன் குறைந்தது ஒரு பதிவு { $var } க்கு { $body }
agg-all = { $list } இன் ஒவ்வொரு பதிவு { $var } க்கும் { $body }
agg-filter = { $x }, இதில் { $cond }

## கால அளவுகளும் பட்டியல்களும்

duration-weeks = { $n } வாரம்
duration-days = { $n ->
    [1] { $n } நாள்
   *[other] { $n } நாட்கள்
}
duration-hours = { $n } மணி நேரம்
duration-minutes = { $n } நிமிடம்
duration-seconds = { $n } விநாடி
join-and = { $first } மற்றும் { $last }
join-or = { $first } அல்லது { $last }
