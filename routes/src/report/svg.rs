//! The report's charts as SVG: one horizontal bar per group, readable on a phone (a 360-wide
//! view box that scales to its container, labels above their bars), with a title and a
//! description for screen readers. Text is escaped; a chart never holds a script, a link or
//! anything loaded from elsewhere, so it may be inlined into a page as it is.

use super::{Group, MonthlyReport};

/// A chart the report can draw.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Chart {
    Services,
    Outcomes,
    Languages,
    Channels,
    Callers,
}

impl Chart {
    pub const ALL: [Chart; 5] = [
        Chart::Services,
        Chart::Outcomes,
        Chart::Languages,
        Chart::Channels,
        Chart::Callers,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Chart::Services => "services",
            Chart::Outcomes => "outcomes",
            Chart::Languages => "languages",
            Chart::Channels => "channels",
            Chart::Callers => "callers",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Chart::ALL.into_iter().find(|chart| chart.as_str() == name)
    }

    fn title(self) -> &'static str {
        match self {
            Chart::Services => "Contacts by service",
            Chart::Outcomes => "Contacts by outcome",
            Chart::Languages => "Contacts by language",
            Chart::Channels => "Contacts by channel",
            Chart::Callers => "New and repeat callers",
        }
    }
}

/// What a donor reads for a group's key.
pub fn label(group: &str) -> &'static str {
    match group {
        "legal" => "Legal help",
        "psychological" => "Psychological help",
        "mens" => "Men's line",
        "answered" => "Answered by a person",
        "voicemail" => "Voicemail",
        "missed" => "Missed",
        "abandoned" => "Hung up while waiting",
        "blocked" => "Blocked number",
        "closed" => "Ended without a report",
        "in_progress" => "Still in progress",
        "unanswered" => "Text not yet answered",
        "kk" => "Kazakh",
        "ru" => "Russian",
        "voice" => "Phone call",
        "sms" => "SMS",
        "whatsapp" => "WhatsApp",
        "new" => "New",
        "repeat" => "Repeat",
        "none" => "Not chosen or not recorded",
        _ => "Other",
    }
}

/// `chart` of `report`, as a standalone SVG document.
pub fn chart(report: &MonthlyReport, chart: Chart) -> String {
    let from_groups = |groups: &[Group]| -> Vec<(&'static str, u32)> {
        groups
            .iter()
            .map(|g| (label(g.group), g.tally.total))
            .collect()
    };
    let bars = match chart {
        Chart::Services => from_groups(&report.by_service),
        Chart::Outcomes => from_groups(&report.by_outcome),
        Chart::Languages => from_groups(&report.by_language),
        Chart::Channels => from_groups(&report.by_channel),
        Chart::Callers => vec![
            (label("new"), report.callers.new),
            (label("repeat"), report.callers.repeat),
        ],
    };
    bar_chart(
        &format!("chart-{}", chart.as_str()),
        &format!("{}, {}", chart.title(), report.month),
        &bars,
    )
}

const WIDTH: u32 = 360;
const MARGIN: u32 = 12;
const ROW: u32 = 44;
const BAR: u32 = 16;
const TITLE_HEIGHT: u32 = 36;
/// Room after the longest bar for its number.
const VALUE_ROOM: u32 = 48;

/// A horizontal bar chart: `id` prefixes the ids its accessible names use (so several charts
/// may share a page), `title` heads it, each bar is a label and a count.
pub fn bar_chart(id: &str, title: &str, bars: &[(&str, u32)]) -> String {
    let id = escape(id);
    let title = escape(title);
    let height = TITLE_HEIGHT + ROW * bars.len() as u32 + MARGIN;
    let longest = bars.iter().map(|&(_, n)| n).max().unwrap_or(0).max(1);
    let room = WIDTH - 2 * MARGIN - VALUE_ROOM;
    let description = bars
        .iter()
        .map(|&(label, n)| format!("{}: {n}", escape(label)))
        .collect::<Vec<_>>()
        .join("; ");
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {WIDTH} {height}\" \
         width=\"100%\" role=\"img\" aria-labelledby=\"{id}-title {id}-desc\" \
         font-family=\"sans-serif\" font-size=\"14\">\n\
         <title id=\"{id}-title\">{title}</title>\n\
         <desc id=\"{id}-desc\">{description}</desc>\n\
         <text x=\"{MARGIN}\" y=\"22\" font-size=\"16\" font-weight=\"bold\">{title}</text>\n"
    );
    for (row, &(label, n)) in bars.iter().enumerate() {
        let top = TITLE_HEIGHT + ROW * row as u32;
        let length = (u64::from(room) * u64::from(n) / u64::from(longest)) as u32;
        let label = escape(label);
        svg.push_str(&format!(
            "<g>\n<title>{label}: {n}</title>\n\
             <text x=\"{MARGIN}\" y=\"{}\">{label}</text>\n\
             <rect x=\"{MARGIN}\" y=\"{}\" width=\"{length}\" height=\"{BAR}\" fill=\"#2b6cb0\"/>\n\
             <text x=\"{}\" y=\"{}\">{n}</text>\n</g>\n",
            top + 14,
            top + 20,
            MARGIN + length + 6,
            top + 33,
        ));
    }
    svg.push_str("</svg>\n");
    svg
}

/// Text made safe inside an element or an attribute.
pub fn escape(text: &str) -> String {
    let mut safe = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => safe.push_str("&amp;"),
            '<' => safe.push_str("&lt;"),
            '>' => safe.push_str("&gt;"),
            '"' => safe.push_str("&quot;"),
            '\'' => safe.push_str("&#39;"),
            c => safe.push(c),
        }
    }
    safe
}
