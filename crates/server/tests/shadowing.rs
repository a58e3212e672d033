//! The Shadowing page and `/api/v1/shadowing/coverage`, with the demo team's year of history.

#![allow(clippy::unwrap_used, reason = "a panic in a test is a failing test")]

mod common;

use common::{TestApp, with_team};

#[tokio::test]
async fn coverage_api_has_periods_heatmap_warnings_and_next_months_plan() {
    let app = TestApp::spawn_with(with_team()).await;
    let view = app.json("/api/v1/shadowing/coverage", 200).await;
    let current = view["coverage"]["periods"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(current["period"], "2026-Q4");
    let regions: Vec<&str> = view["heatmap"]["regions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["region"].as_str().unwrap())
        .collect();
    assert_eq!(regions, ["AMER", "APAC", "EMEA"]);
    // The heatmap counts the same sessions as the coverage report.
    let months = view["heatmap"]["months"].as_array().unwrap();
    for region in view["heatmap"]["regions"].as_array().unwrap() {
        let in_quarter: u64 = months
            .iter()
            .zip(region["done"].as_array().unwrap())
            .filter(|(m, _)| ["2026-10", "2026-11", "2026-12"].contains(&m.as_str().unwrap()))
            .map(|(_, n)| n.as_u64().unwrap())
            .sum();
        let reported = current["regions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["region"] == region["region"])
            .unwrap()["done"]
            .as_u64()
            .unwrap();
        assert_eq!(in_quarter, reported, "{}", region["region"]);
    }
    assert!(
        !view["coverage"]["warnings"].as_array().unwrap().is_empty(),
        "the demo history has a gap that the report warns about"
    );
    assert_eq!(view["next_plan"]["month"], "2026-12");
    assert_eq!(view["next_plan"]["applied"], false);
}

#[tokio::test]
async fn shadowing_page_draws_the_heatmap_and_the_plan() {
    let app = TestApp::spawn_with(with_team()).await;
    let view = app.json("/api/v1/shadowing/coverage", 200).await;
    let html = app.text("/shadowing", 200).await;
    assert!(html.contains("<svg class=\"chart heatmap\""), "{html}");
    assert!(html.contains("Plan for 2026-12"), "{html}");
    let current = view["coverage"]["periods"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    for r in current["regions"].as_array().unwrap() {
        let kpi = format!(
            "<span data-kpi=\"done_{}\">{}</span>",
            r["region"].as_str().unwrap(),
            r["done"]
        );
        assert!(html.contains(&kpi), "{kpi}");
    }
    let warning = view["coverage"]["warnings"][0]["message"].as_str().unwrap();
    let escaped = warning.replace('\'', "&#39;").replace('"', "&#34;");
    assert!(html.contains(&escaped), "{warning}");
}

#[tokio::test]
async fn overview_shows_every_section_with_the_api_numbers() {
    let app = TestApp::spawn_with(with_team()).await;
    let summary = app.json("/api/v1/summary", 200).await;
    let reviews = app.json("/api/v1/reviews", 200).await;
    let html = app.text("/", 200).await;
    assert!(
        html.contains(&format!("data-kpi=\"responses\">{}<", summary["rows"])),
        "{html}"
    );
    assert!(
        html.contains(&format!("data-kpi=\"flagged\">{}<", summary["flagged"])),
        "{html}"
    );
    assert!(
        html.contains(&format!("data-kpi=\"open_reviews\">{}<", reviews["open"])),
        "{html}"
    );
    assert!(html.contains("Support Ops weekly sync"), "{html}");
    assert!(html.contains("Support Ops monthly sync"), "{html}");
    assert!(html.contains("Shadowing coverage, 2026-Q4"), "{html}");
    assert_eq!(
        html.matches("<svg class=\"chart\"").count(),
        2,
        "band mix and trend"
    );
}

#[tokio::test]
async fn the_plan_table_lists_each_member_once() {
    let app = TestApp::spawn_with(with_team()).await;
    // December is already planned: every member has a session arranged.
    let sh = supportops_app::shadow::Shadowing::from_config(&common::demo_config(), None).unwrap();
    let december = supportops_domain::shadow::Month::parse("2026-12").unwrap();
    let applied =
        supportops_app::shadow::plan(app.store.as_ref(), &sh, december, &[], true, common::now())
            .await
            .unwrap();
    assert!(!applied.sessions.is_empty());
    let html = app.text("/shadowing", 200).await;
    let start = html.find("id=\"plan-h\"").expect("the plan");
    let plan = &html[start..start + html[start..].find("</table>").unwrap()];
    for m in &sh.members {
        let lines = plan.matches(&format!("<td>@{}</td>", m.username)).count();
        assert_eq!(lines, 1, "{}: {plan}", m.username);
    }
    assert!(plan.contains("already planned"), "{plan}");
}
