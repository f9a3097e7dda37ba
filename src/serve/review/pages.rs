//! The small pages: logging in, "not found" and other problems, in plain words.

use std::fmt::Write as _;

use super::html::{Viewer, esc, page};

/// The login form, with a message when a token was refused.
pub fn login_page(problem: Option<&str>) -> String {
    let mut body = String::from(
        "<h1>Log in to review flagged ads</h1>\n\
         <p>Paste the partner token your organisation received from the Lurewatch operator. \
         It starts with <code>lw_</code>. The token stays on this server: your browser keeps \
         only a session that ends when you log out or after two hours without use.</p>\n",
    );
    if let Some(problem) = problem {
        let _ = writeln!(
            body,
            "<p class=\"error\" role=\"alert\" id=\"login-problem\">{}</p>",
            esc(problem)
        );
    }
    body.push_str(
        "<form method=\"post\" action=\"/review/login\" class=\"box\">\n\
         <label for=\"token\">Partner token</label>\n\
         <input type=\"password\" id=\"token\" name=\"token\" autocomplete=\"off\" required \
         aria-describedby=\"token-help\">\n\
         <p id=\"token-help\" class=\"muted\">Never share your token or paste it anywhere else.</p>\n\
         <p><button type=\"submit\">Log in</button></p>\n</form>\n",
    );
    page("Log in", None, &body)
}

/// The page for an ad that does not exist or that the partner may not see. The two are not
/// told apart, so the page reveals nothing about ads outside the partner's scope.
pub fn not_found_page(viewer: Option<Viewer<'_>>) -> String {
    problem_page(
        "Ad not found",
        viewer,
        "This ad does not exist, or it is outside the languages and countries your \
         organisation reviews.",
    )
}

/// A page explaining a problem, with a way back to the list.
pub fn problem_page(title: &str, viewer: Option<Viewer<'_>>, message: &str) -> String {
    let body = format!(
        "<h1>{}</h1>\n<p>{}</p>\n<p><a href=\"/review\">Back to the flagged ads</a></p>\n",
        esc(title),
        esc(message)
    );
    page(title, viewer, &body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::serve::review::html::REMINDER;

    #[test]
    fn the_login_page_has_a_labelled_token_field_and_the_reminder() {
        let html = login_page(Some("That <token> was not accepted."));
        assert!(html.contains("<label for=\"token\">"));
        assert!(html.contains("id=\"token\" name=\"token\""));
        assert!(html.contains("action=\"/review/login\""));
        assert!(html.contains("That &lt;token&gt; was not accepted."));
        assert!(html.contains(REMINDER));
        assert!(!login_page(None).contains("role=\"alert\""));
    }

    #[test]
    fn not_found_does_not_say_which() {
        let html = not_found_page(None);
        assert!(html.contains("does not exist, or it is outside"));
        assert!(html.contains(REMINDER));
    }
}
