//! Words around an amount, in the 13 languages of the ads: pay-period words,
//! the connectors that link an amount to its period, salary words, the short
//! fillers allowed between a salary word and its amount, and the count nouns
//! that make a number a count rather than money.

use super::Period::{self, Day, Hour, Month, Week, Year};

// Flags of a period word.
pub(super) const SLASH: u8 = 1; // only right after "/" ("$20/h")
pub(super) const AFTER: u8 = 2; // only after the amount, never a cue before it
pub(super) const STRICT: u8 = 4; // as a cue before the amount: standalone and adjacent

/// A word naming a pay period.
pub(super) struct PeriodWord {
    pub(super) text: &'static str,
    pub(super) period: Period,
    pub(super) flags: u8,
}

const fn pw(text: &'static str, period: Period, flags: u8) -> PeriodWord {
    PeriodWord {
        text,
        period,
        flags,
    }
}

pub(super) static PERIOD_WORDS: &[PeriodWord] = &[
    // month
    pw("month", Month, 0),
    pw("monthly", Month, 0),
    pw("mo", Month, AFTER),
    pw("mth", Month, AFTER),
    pw("mnth", Month, AFTER),
    pw("p.m.", Month, AFTER),
    pw("pm", Month, AFTER),
    pw("p/m", Month, AFTER),
    pw("pcm", Month, AFTER),
    pw("月", Month, AFTER),
    pw("个月", Month, AFTER),
    pw("個月", Month, AFTER),
    pw("ヶ月", Month, AFTER),
    pw("か月", Month, AFTER),
    pw("每月", Month, 0),
    pw("每个月", Month, 0),
    pw("每個月", Month, 0),
    pw("毎月", Month, 0),
    pw("월", Month, STRICT),
    pw("매월", Month, 0),
    pw("매달", Month, 0),
    pw("달", Month, AFTER),
    pw("เดือน", Month, 0),
    pw("เดือนละ", Month, 0),
    pw("tháng", Month, 0),
    pw("hàng tháng", Month, 0),
    pw("thang", Month, AFTER),
    pw("bulan", Month, 0),
    pw("sebulan", Month, 0),
    pw("bulanan", Month, 0),
    pw("perbulan", Month, 0),
    pw("buwan", Month, 0),
    pw("buwanan", Month, 0),
    pw("mes", Month, 0),
    pw("mensual", Month, 0),
    pw("mensuales", Month, 0),
    pw("mês", Month, 0),
    pw("mensal", Month, 0),
    pw("mensais", Month, 0),
    pw("mwezi", Month, 0),
    pw("महीना", Month, 0),
    pw("महीने", Month, 0),
    pw("माह", Month, 0),
    pw("मासिक", Month, 0),
    // day
    pw("day", Day, 0),
    pw("daily", Day, 0),
    pw("d", Day, SLASH),
    pw("日", Day, AFTER),
    pw("天", Day, AFTER),
    pw("每天", Day, 0),
    pw("每日", Day, 0),
    pw("일", Day, SLASH),
    pw("매일", Day, 0),
    pw("วัน", Day, AFTER),
    pw("วันละ", Day, 0),
    pw("ngày", Day, AFTER),
    pw("hàng ngày", Day, 0),
    pw("ngay", Day, SLASH),
    pw("hari", Day, AFTER),
    pw("harian", Day, 0),
    pw("sehari", Day, 0),
    pw("perhari", Day, 0),
    pw("araw", Day, AFTER),
    pw("arawan", Day, 0),
    pw("día", Day, AFTER),
    pw("dia", Day, AFTER),
    pw("diario", Day, 0),
    pw("diária", Day, 0),
    pw("siku", Day, AFTER),
    pw("दिन", Day, AFTER),
    pw("प्रतिदिन", Day, 0),
    // hour
    pw("hour", Hour, 0),
    pw("hourly", Hour, 0),
    pw("hr", Hour, AFTER),
    pw("h", Hour, SLASH),
    pw("小时", Hour, AFTER),
    pw("小時", Hour, AFTER),
    pw("时", Hour, SLASH),
    pw("時", Hour, SLASH),
    pw("時間", Hour, AFTER),
    pw("每小时", Hour, 0),
    pw("每小時", Hour, 0),
    pw("시간", Hour, AFTER),
    pw("ชั่วโมง", Hour, AFTER),
    pw("ชม.", Hour, AFTER),
    pw("ชั่วโมงละ", Hour, 0),
    pw("giờ", Hour, AFTER),
    pw("tiếng", Hour, AFTER),
    pw("jam", Hour, AFTER),
    pw("perjam", Hour, 0),
    pw("oras", Hour, AFTER),
    pw("hora", Hour, AFTER),
    pw("saa", Hour, AFTER),
    pw("घंटा", Hour, AFTER),
    pw("घंटे", Hour, AFTER),
    // week
    pw("week", Week, 0),
    pw("weekly", Week, 0),
    pw("wk", Week, AFTER),
    pw("周", Week, AFTER),
    pw("週", Week, AFTER),
    pw("星期", Week, AFTER),
    pw("每周", Week, 0),
    pw("每週", Week, 0),
    pw("주", Week, SLASH),
    pw("สัปดาห์", Week, AFTER),
    pw("อาทิตย์", Week, AFTER),
    pw("tuần", Week, AFTER),
    pw("tuan", Week, SLASH),
    pw("minggu", Week, AFTER),
    pw("mingguan", Week, 0),
    pw("seminggu", Week, 0),
    pw("perminggu", Week, 0),
    pw("linggo", Week, AFTER),
    pw("lingguhan", Week, 0),
    pw("semana", Week, AFTER),
    pw("semanal", Week, 0),
    pw("wiki", Week, AFTER),
    pw("सप्ताह", Week, AFTER),
    pw("हफ्ता", Week, AFTER),
    pw("हफ्ते", Week, AFTER),
    // year
    pw("year", Year, 0),
    pw("yearly", Year, 0),
    pw("annual", Year, 0),
    pw("annually", Year, 0),
    pw("annum", Year, 0),
    pw("yr", Year, AFTER),
    pw("p.a.", Year, AFTER),
    pw("pa", Year, SLASH),
    pw("年", Year, AFTER),
    pw("每年", Year, 0),
    pw("년", Year, SLASH),
    pw("ปี", Year, AFTER),
    pw("ปีละ", Year, 0),
    pw("năm", Year, AFTER),
    pw("nam", Year, SLASH),
    pw("tahun", Year, AFTER),
    pw("tahunan", Year, 0),
    pw("setahun", Year, 0),
    pw("pertahun", Year, 0),
    pw("taon", Year, AFTER),
    pw("taunan", Year, 0),
    pw("año", Year, AFTER),
    pw("anual", Year, 0),
    pw("ano", Year, AFTER),
    pw("mwaka", Year, AFTER),
    pw("साल", Year, AFTER),
    pw("वर्ष", Year, AFTER),
    pw("वार्षिक", Year, 0),
];

/// Words that link an amount to its period ("per", "a", "/", "每", "kwa"...).
pub(super) const PERIOD_CONNECTORS: &str = "\
     / | per | a | an | each | every | por | al | ao | kwa | kila | mỗi | một | \
     sa isang | sa | kada | bawat | isang | setiap | tiap | ต่อ | 每个 | 每個 | 每 | 一个 | \
     一個 | 一 | 毎 | 매 | प्रति | हर";

/// Salary words, with the period some of them carry (月薪 = monthly pay).
pub(super) static SALARY_WORDS: &[(&str, Option<Period>)] = &[
    // en
    ("salary", None),
    ("salaries", None),
    ("pay", None),
    ("wage", None),
    ("wages", None),
    ("income", None),
    ("earn", None),
    ("earns", None),
    ("earning", None),
    ("earnings", None),
    ("compensation", None),
    ("remuneration", None),
    ("stipend", None),
    ("ctc", None),
    ("take home", None),
    ("take-home", None),
    // zh
    ("工资", None),
    ("工資", None),
    ("薪资", None),
    ("薪資", None),
    ("薪水", None),
    ("薪酬", None),
    ("薪金", None),
    ("底薪", None),
    ("保底", None),
    ("待遇", None),
    ("收入", None),
    ("月薪", Some(Month)),
    ("月入", Some(Month)),
    ("月收入", Some(Month)),
    ("月工资", Some(Month)),
    ("月工資", Some(Month)),
    ("年薪", Some(Year)),
    ("日薪", Some(Day)),
    ("日结", Some(Day)),
    ("日結", Some(Day)),
    ("时薪", Some(Hour)),
    ("時薪", Some(Hour)),
    ("周薪", Some(Week)),
    ("週薪", Some(Week)),
    // ja
    ("給料", None),
    ("給与", None),
    ("基本給", None),
    ("月給", Some(Month)),
    ("月収", Some(Month)),
    ("時給", Some(Hour)),
    ("日給", Some(Day)),
    ("週給", Some(Week)),
    ("年収", Some(Year)),
    ("年俸", Some(Year)),
    // ko
    ("급여", None),
    ("임금", None),
    ("보수", None),
    ("월급", Some(Month)),
    ("연봉", Some(Year)),
    ("시급", Some(Hour)),
    ("일급", Some(Day)),
    ("일당", Some(Day)),
    ("주급", Some(Week)),
    // th
    ("เงินเดือน", Some(Month)),
    ("ค่าจ้าง", None),
    ("รายได้", None),
    ("ค่าแรง", None),
    ("ค่าตอบแทน", None),
    // vi
    ("lương", None),
    ("mức lương", None),
    ("thu nhập", None),
    ("lương tháng", Some(Month)),
    ("luong", None), // Vietnamese typed without diacritics
    ("muc luong", None),
    ("thu nhap", None),
    // id, ms
    ("gaji", None),
    ("upah", None),
    ("pendapatan", None),
    ("penghasilan", None),
    // tl
    ("sahod", None),
    ("sweldo", None),
    ("suweldo", None),
    ("pasahod", None),
    // es, pt
    ("salario", None),
    ("sueldo", None),
    ("remuneración", None),
    ("ingresos", None),
    ("salário", None),
    ("remuneração", None),
    ("renda", None),
    // sw
    ("mshahara", None),
    ("malipo", None),
    ("ujira", None),
    // hi
    ("वेतन", None),
    ("तनख्वाह", None),
    ("सैलरी", None),
    ("पगार", None),
];

/// Short words allowed between a salary word and its amount
/// ("Salary is from", "lương khoảng", "月薪高达", "gaji mulai dari"...).
pub(super) const GAP_FILLERS: &str = "\
     is | are | will | be | of | from | up | to | upto | starting | starts | start | \
     at | around | about | approx. | approx | approximately | min. | min | minimum | \
     max. | max | maximum | only | range | basic | base | gross | net | fixed | \
     offered | package | between | rate | you | can | get | the | as | high | over | \
     than | more | per | 高达 | 高達 | 可达 | 可達 | 最高 | 最低 | 约 | 約 | 大约 | 大約 | 为 | 為 | 是 | \
     在 | 起 | 从 | 從 | 税前 | 稅前 | 税后 | 稅後 | は | が | 最大 | 은 | 는 | 이 | 가 | 약 | 최대 | 최소 | \
     최고 | 세전 | 세후 | เริ่มต้น | ตั้งแต่ | สูงสุด | ประมาณ | ขั้นต่ำ | อยู่ที่ | คือ | \
     ได้ | ถึง | เริ่ม | khoảng | từ | lên đến | lên tới | tới | đến | là | trên | \
     hơn | tối thiểu | tối đa | cứng | cơ bản | khởi điểm | chỉ | mulai | dari | \
     sekitar | hingga | sampai | pokok | minimal | maksimal | antara | adalah | \
     sebesar | ialah | bersih | kotor | na | ay | mula | hanggang | mga | aabot | ng | \
     ang | de | desde | hasta | entre | es | mínimo | máximo | aprox | \
     aproximadamente | bruto | neto | a partir de | até | é | inicial | líquido | \
     bruta | ya | wa | la | kuanzia | hadi | ni | kati | zaidi | का | की | के | से | \
     तक | लगभग | है";

/// Words after a number that make it a count, not an amount of money.
pub(super) const COUNT_NOUNS: &str = "\
     people | persons | person | pax | slots | slot | positions | position | \
     vacancies | vacancy | openings | workers | staff | members | users | views | \
     followers | likes | downloads | subscribers | times | km | kg | years | yrs | \
     days | hours | weeks | months | 人 | 名 | 个 | 個 | 位 | 次 | 岁 | 歲 | 公里 | 平方 | người | \
     lượt | tuổi | lần | orang | kali | คน | ครั้ง | 명 | 개 | 번 | 살 | tao | watu | लोग | \
     व्यक्ति";
