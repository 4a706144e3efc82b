//! The pages' words in Russian, Kazakh and English: one key enum and one match, so a missing
//! translation is a compile error, not a blank on a coordinator's phone at night.

use hotline_schedules::Service;

use crate::store::PageLanguage;

/// Every phrase a page shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Text {
    Hotline,
    SignIn,
    SignOut,
    Login,
    Password,
    Name,
    WrongPassword,
    /// Followed by the time sign-in opens again.
    Throttled,
    Now,
    FollowUps,
    Users,
    OnDutyNow,
    NextOnDuty,
    Nobody,
    CallsNow,
    NoCalls,
    OpenFollowUps,
    NoneOpen,
    Opened,
    Age,
    RemindersSent,
    Caller,
    Status,
    Open,
    Answered,
    MarkAnswered,
    Note,
    AlreadyAnswered,
    Forbidden,
    NotFound,
    FormRefused,
    Language,
    Welcome,
    WelcomeHint,
    LinkUsed,
    PasswordTooShort,
    LoginTaken,
    Role,
    Coordinator,
    Staff,
    Legal,
    Psychological,
    Mens,
    NoService,
    Minutes,
    Hours,
    Days,
    Back,
    SomethingWrong,
    // Staff and audit log pages (staff.rs, audit.rs).
    StaffList,
    AddStaff,
    Phone,
    Services,
    Languages,
    Gender,
    Female,
    Male,
    GenderUnstated,
    IsCoordinator,
    Active,
    Inactive,
    Deactivate,
    Reactivate,
    Save,
    NameNeeded,
    PhoneInvalid,
    PhoneTaken,
    Calendar,
    CalendarHint,
    LanguageKk,
    LanguageRu,
    AuditLog,
    When,
    Who,
    Action,
    Subject,
    Before,
    After,
    Older,
    Newest,
    NoEntries,
}

/// The catalogue in one language; cheap to copy into every page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Words(pub PageLanguage);

impl Words {
    pub fn say(&self, key: Text) -> &'static str {
        use PageLanguage::{En, Kk, Ru};
        use Text::*;
        match (self.0, key) {
            (Ru, Hotline) => "Горячая линия",
            (Kk, Hotline) => "Сенім телефоны",
            (En, Hotline) => "Hotline",
            (Ru, SignIn) => "Войти",
            (Kk, SignIn) => "Кіру",
            (En, SignIn) => "Sign in",
            (Ru, SignOut) => "Выйти",
            (Kk, SignOut) => "Шығу",
            (En, SignOut) => "Sign out",
            (Ru, Login) => "Логин",
            (Kk, Login) => "Логин",
            (En, Login) => "Login",
            (Ru, Password) => "Пароль",
            (Kk, Password) => "Құпиясөз",
            (En, Password) => "Password",
            (Ru, Name) => "Имя",
            (Kk, Name) => "Аты",
            (En, Name) => "Name",
            (Ru, WrongPassword) => "Неверный логин или пароль.",
            (Kk, WrongPassword) => "Логин немесе құпиясөз қате.",
            (En, WrongPassword) => "Wrong login or password.",
            (Ru, Throttled) => "Слишком много неудачных попыток. Попробуйте снова после",
            (Kk, Throttled) => "Сәтсіз әрекеттер тым көп. Қайта көріңіз, уақыты:",
            (En, Throttled) => "Too many failed sign-ins. Try again after",
            (Ru, Now) => "Сейчас",
            (Kk, Now) => "Қазір",
            (En, Now) => "Now",
            (Ru, FollowUps) => "Обращения без ответа",
            (Kk, FollowUps) => "Жауапсыз өтініштер",
            (En, FollowUps) => "Follow-ups",
            (Ru, Users) => "Пользователи",
            (Kk, Users) => "Пайдаланушылар",
            (En, Users) => "Users",
            (Ru, OnDutyNow) => "Дежурят сейчас",
            (Kk, OnDutyNow) => "Қазір кезекте",
            (En, OnDutyNow) => "On duty now",
            (Ru, NextOnDuty) => "Следующий",
            (Kk, NextOnDuty) => "Келесі",
            (En, NextOnDuty) => "Next",
            (Ru, Nobody) => "никого",
            (Kk, Nobody) => "ешкім жоқ",
            (En, Nobody) => "nobody",
            (Ru, CallsNow) => "Звонки сейчас",
            (Kk, CallsNow) => "Қазіргі қоңыраулар",
            (En, CallsNow) => "Calls now",
            (Ru, NoCalls) => "Звонков нет.",
            (Kk, NoCalls) => "Қоңырау жоқ.",
            (En, NoCalls) => "No calls.",
            (Ru, OpenFollowUps) => "Ждут ответа",
            (Kk, OpenFollowUps) => "Жауап күтуде",
            (En, OpenFollowUps) => "Waiting for an answer",
            (Ru, NoneOpen) => "Все обращения отвечены.",
            (Kk, NoneOpen) => "Барлық өтінішке жауап берілді.",
            (En, NoneOpen) => "Every contact has been answered.",
            (Ru, Opened) => "Открыто",
            (Kk, Opened) => "Ашылды",
            (En, Opened) => "Opened",
            (Ru, Age) => "Ждёт",
            (Kk, Age) => "Күтуде",
            (En, Age) => "Waiting",
            (Ru, RemindersSent) => "Напоминаний отправлено",
            (Kk, RemindersSent) => "Жіберілген ескертулер",
            (En, RemindersSent) => "Reminders sent",
            (Ru, Caller) => "Абонент",
            (Kk, Caller) => "Қоңырау шалушы",
            (En, Caller) => "Caller",
            (Ru, Status) => "Состояние",
            (Kk, Status) => "Күйі",
            (En, Status) => "Status",
            (Ru, Open) => "ждёт ответа",
            (Kk, Open) => "жауап күтуде",
            (En, Open) => "open",
            (Ru, Answered) => "отвечено",
            (Kk, Answered) => "жауап берілді",
            (En, Answered) => "answered",
            (Ru, MarkAnswered) => "Отметить: ответили",
            (Kk, MarkAnswered) => "Жауап берілді деп белгілеу",
            (En, MarkAnswered) => "Mark answered",
            (Ru, Note) => "Заметка (без номера)",
            (Kk, Note) => "Жазба (нөмірсіз)",
            (En, Note) => "Note (no number)",
            (Ru, AlreadyAnswered) => "На это обращение уже ответили.",
            (Kk, AlreadyAnswered) => "Бұл өтінішке жауап берілген.",
            (En, AlreadyAnswered) => "This follow-up is already answered.",
            (Ru, Forbidden) => "Эта страница только для координатора.",
            (Kk, Forbidden) => "Бұл бет тек үйлестірушіге арналған.",
            (En, Forbidden) => "This page is for the coordinator only.",
            (Ru, NotFound) => "Страница не найдена.",
            (Kk, NotFound) => "Бет табылмады.",
            (En, NotFound) => "Page not found.",
            (Ru, FormRefused) => "Форма устарела. Откройте страницу заново и повторите.",
            (Kk, FormRefused) => "Пішін ескірген. Бетті қайта ашып, қайталаңыз.",
            (En, FormRefused) => "This form has expired. Open the page again and retry.",
            (Ru, Language) => "Язык",
            (Kk, Language) => "Тіл",
            (En, Language) => "Language",
            (Ru, Welcome) => "Первый координатор",
            (Kk, Welcome) => "Бірінші үйлестіруші",
            (En, Welcome) => "The first coordinator",
            (Ru, WelcomeHint) => {
                "Задайте имя, логин и пароль (не короче 10 знаков). Ссылка работает один раз."
            }
            (Kk, WelcomeHint) => {
                "Атыңызды, логин мен құпиясөзді (кемінде 10 таңба) енгізіңіз. Сілтеме бір рет жұмыс істейді."
            }
            (En, WelcomeHint) => {
                "Choose your name, login and password (10 characters or more). This link works once."
            }
            (Ru, LinkUsed) => "Ссылка уже использована или устарела.",
            (Kk, LinkUsed) => "Сілтеме қолданылған немесе мерзімі өткен.",
            (En, LinkUsed) => "This link was used already or has expired.",
            (Ru, PasswordTooShort) => "Пароль должен быть не короче 10 знаков, логин не пустым.",
            (Kk, PasswordTooShort) => "Құпиясөз кемінде 10 таңба, логин бос болмауы керек.",
            (En, PasswordTooShort) => "The password needs 10 characters or more, and a login.",
            (Ru, LoginTaken) => "Этот логин занят.",
            (Kk, LoginTaken) => "Бұл логин бос емес.",
            (En, LoginTaken) => "This login is taken.",
            (Ru, Role) => "Роль",
            (Kk, Role) => "Рөлі",
            (En, Role) => "Role",
            (Ru, Coordinator) => "координатор",
            (Kk, Coordinator) => "үйлестіруші",
            (En, Coordinator) => "coordinator",
            (Ru, Staff) => "сотрудник",
            (Kk, Staff) => "қызметкер",
            (En, Staff) => "staff",
            (Ru, Legal) => "Юридическая помощь",
            (Kk, Legal) => "Заң көмегі",
            (En, Legal) => "Legal help",
            (Ru, Psychological) => "Психологическая помощь",
            (Kk, Psychological) => "Психологиялық көмек",
            (En, Psychological) => "Psychological help",
            (Ru, Mens) => "Мужская линия",
            (Kk, Mens) => "Ерлер желісі",
            (En, Mens) => "Men's line",
            (Ru, NoService) => "Услуга не выбрана",
            (Kk, NoService) => "Қызмет таңдалмаған",
            (En, NoService) => "No service chosen",
            (Ru, Minutes) => "мин",
            (Kk, Minutes) => "мин",
            (En, Minutes) => "min",
            (Ru, Hours) => "ч",
            (Kk, Hours) => "сағ",
            (En, Hours) => "h",
            (Ru, Days) => "д",
            (Kk, Days) => "күн",
            (En, Days) => "d",
            (Ru, Back) => "Назад",
            (Kk, Back) => "Артқа",
            (En, Back) => "Back",
            (Ru, SomethingWrong) => "Что-то пошло не так. Попробуйте ещё раз.",
            (Kk, SomethingWrong) => "Бірдеңе дұрыс болмады. Қайта көріңіз.",
            (En, SomethingWrong) => "Something went wrong. Please try again.",
            // Staff and audit log pages (staff.rs, audit.rs).
            (Ru, StaffList) => "Сотрудники",
            (Kk, StaffList) => "Қызметкерлер",
            (En, StaffList) => "Staff",
            (Ru, AddStaff) => "Добавить сотрудника",
            (Kk, AddStaff) => "Қызметкер қосу",
            (En, AddStaff) => "Add a staff member",
            (Ru, Phone) => "Телефон",
            (Kk, Phone) => "Телефон",
            (En, Phone) => "Phone",
            (Ru, Services) => "Услуги",
            (Kk, Services) => "Қызметтер",
            (En, Services) => "Services",
            (Ru, Languages) => "Языки",
            (Kk, Languages) => "Тілдер",
            (En, Languages) => "Languages",
            (Ru, Gender) => "Пол",
            (Kk, Gender) => "Жынысы",
            (En, Gender) => "Gender",
            (Ru, Female) => "женщина",
            (Kk, Female) => "әйел",
            (En, Female) => "woman",
            (Ru, Male) => "мужчина",
            (Kk, Male) => "ер",
            (En, Male) => "man",
            (Ru, GenderUnstated) => "не указан",
            (Kk, GenderUnstated) => "көрсетілмеген",
            (En, GenderUnstated) => "not stated",
            (Ru, IsCoordinator) => "Координатор (звонят последним)",
            (Kk, IsCoordinator) => "Үйлестіруші (соңынан шалынады)",
            (En, IsCoordinator) => "Coordinator (rung last)",
            (Ru, Active) => "работает",
            (Kk, Active) => "жұмыс істейді",
            (En, Active) => "active",
            (Ru, Inactive) => "не работает",
            (Kk, Inactive) => "жұмыс істемейді",
            (En, Inactive) => "inactive",
            (Ru, Deactivate) => "Отключить (больше не звонить)",
            (Kk, Deactivate) => "Өшіру (енді шалмау)",
            (En, Deactivate) => "Deactivate (never ring again)",
            (Ru, Reactivate) => "Включить снова",
            (Kk, Reactivate) => "Қайта қосу",
            (En, Reactivate) => "Reactivate",
            (Ru, Save) => "Сохранить",
            (Kk, Save) => "Сақтау",
            (En, Save) => "Save",
            (Ru, NameNeeded) => "Укажите имя.",
            (Kk, NameNeeded) => "Атын жазыңыз.",
            (En, NameNeeded) => "A staff member needs a name.",
            (Ru, PhoneInvalid) => "Номер с + и кодом страны, только цифры, например +77011234567.",
            (Kk, PhoneInvalid) => "Нөмір + және ел кодымен, тек цифрлар, мысалы +77011234567.",
            (En, PhoneInvalid) => {
                "A number with + and the country code, digits only, e.g. +77011234567."
            }
            (Ru, PhoneTaken) => "Этот номер уже у другого сотрудника.",
            (Kk, PhoneTaken) => "Бұл нөмір басқа қызметкерде бар.",
            (En, PhoneTaken) => "This number belongs to another staff member.",
            (Ru, Calendar) => "Календарь дежурств",
            (Kk, Calendar) => "Кезекшілік күнтізбесі",
            (En, Calendar) => "Duty calendar",
            (Ru, CalendarHint) => {
                "Подпишитесь на эту ссылку в календаре телефона. Не передавайте её никому."
            }
            (Kk, CalendarHint) => {
                "Телефон күнтізбесінде осы сілтемеге жазылыңыз. Оны ешкімге бермеңіз."
            }
            (En, CalendarHint) => {
                "Subscribe to this link in your phone's calendar. Share it with no one."
            }
            (Ru, LanguageKk) => "казахский",
            (Kk, LanguageKk) => "қазақша",
            (En, LanguageKk) => "Kazakh",
            (Ru, LanguageRu) => "русский",
            (Kk, LanguageRu) => "орысша",
            (En, LanguageRu) => "Russian",
            (Ru, AuditLog) => "Журнал изменений",
            (Kk, AuditLog) => "Өзгерістер журналы",
            (En, AuditLog) => "Audit log",
            (Ru, When) => "Когда",
            (Kk, When) => "Қашан",
            (En, When) => "When",
            (Ru, Who) => "Кто",
            (Kk, Who) => "Кім",
            (En, Who) => "Who",
            (Ru, Action) => "Действие",
            (Kk, Action) => "Әрекет",
            (En, Action) => "Action",
            (Ru, Subject) => "Что",
            (Kk, Subject) => "Не",
            (En, Subject) => "Subject",
            (Ru, Before) => "Было",
            (Kk, Before) => "Бұрын",
            (En, Before) => "Before",
            (Ru, After) => "Стало",
            (Kk, After) => "Кейін",
            (En, After) => "After",
            (Ru, Older) => "Ранее →",
            (Kk, Older) => "Ертерек →",
            (En, Older) => "Older →",
            (Ru, Newest) => "← Последние",
            (Kk, Newest) => "← Соңғылары",
            (En, Newest) => "← Newest",
            (Ru, NoEntries) => "Записей нет.",
            (Kk, NoEntries) => "Жазба жоқ.",
            (En, NoEntries) => "No entries.",
        }
    }

    pub fn service(&self, service: Option<Service>) -> &'static str {
        self.say(match service {
            Some(Service::Legal) => Text::Legal,
            Some(Service::Psychological) => Text::Psychological,
            Some(Service::Mens) => Text::Mens,
            None => Text::NoService,
        })
    }

    /// How long something has waited, to the minute: `2 d 3 h`, `1 h 5 min`, `7 min`.
    pub fn age(&self, seconds: i64) -> String {
        let minutes = seconds.max(0) / 60;
        let (days, hours, minutes) = (minutes / 1440, minutes / 60 % 24, minutes % 60);
        let (d, h, m) = (
            self.say(Text::Days),
            self.say(Text::Hours),
            self.say(Text::Minutes),
        );
        if days > 0 {
            format!("{days} {d} {hours} {h}")
        } else if hours > 0 {
            format!("{hours} {h} {minutes} {m}")
        } else {
            format!("{minutes} {m}")
        }
    }

    /// The name of a language in itself, for the switch.
    pub fn own_name(language: &PageLanguage) -> &'static str {
        match language {
            PageLanguage::Ru => "Русский",
            PageLanguage::Kk => "Қазақша",
            PageLanguage::En => "English",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_read_to_the_minute() {
        let en = Words(PageLanguage::En);
        assert_eq!(en.age(59), "0 min");
        assert_eq!(en.age(65 * 60), "1 h 5 min");
        assert_eq!(en.age((2 * 1440 + 3 * 60 + 4) * 60), "2 d 3 h");
        assert_eq!(Words(PageLanguage::Ru).age(7 * 60), "7 мин");
    }
}
