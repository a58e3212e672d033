//! Property: printing a parsed formula and parsing the text again gives the same tree, for
//! generated formulas of every shape (operators, literals, references, ranges, calls).

use proptest::prelude::*;
use supportops_formula::ast::{BinaryOp, CellRef, Expr, ExprKind, UnaryOp};
use supportops_formula::{ErrorKind, Formula, Function, ParseOptions};

fn node(kind: ExprKind) -> Expr {
    Expr { kind, span: 0..0 }
}

fn number() -> impl Strategy<Value = f64> {
    prop_oneof![
        (0u32..1000).prop_map(f64::from),
        (0.0f64..1e6),
        (1e-12f64..1e-3),
        (1e15f64..1e300),
        Just(0.1),
        Just(0.0),
    ]
}

fn cell_ref() -> impl Strategy<Value = CellRef> {
    (0usize..800, any::<bool>()).prop_map(|(column, absolute_column)| CellRef {
        column,
        absolute_column,
    })
}

fn leaf() -> impl Strategy<Value = Expr> {
    prop_oneof![
        number().prop_map(|n| node(ExprKind::Number(n))),
        "[a-zA-Z0-9 \"é,.*()=\n]{0,12}".prop_map(|s| node(ExprKind::Text(s))),
        any::<bool>().prop_map(|b| node(ExprKind::Bool(b))),
        proptest::sample::select(ErrorKind::ALL.to_vec()).prop_map(|e| node(ExprKind::Error(e))),
        cell_ref().prop_map(|r| node(ExprKind::Ref(r))),
    ]
}

fn binary_op() -> impl Strategy<Value = BinaryOp> {
    proptest::sample::select(vec![
        BinaryOp::Eq,
        BinaryOp::Ne,
        BinaryOp::Lt,
        BinaryOp::Le,
        BinaryOp::Gt,
        BinaryOp::Ge,
        BinaryOp::Concat,
        BinaryOp::Add,
        BinaryOp::Sub,
        BinaryOp::Mul,
        BinaryOp::Div,
        BinaryOp::Pow,
    ])
}

/// A call of `function` with a valid number of arguments drawn from `arg`; ranges where the
/// function reads them, text patterns for the regular expression functions.
fn call(arg: BoxedStrategy<Expr>) -> impl Strategy<Value = Expr> {
    let functions: Vec<Function> = Function::all().collect();
    (
        proptest::sample::select(functions),
        proptest::collection::vec(arg, 4),
        cell_ref(),
        cell_ref(),
    )
        .prop_map(|(function, pool, a, b)| {
            let min = function.min_args();
            let max = function.max_args().unwrap_or(min + 2).min(min + 2);
            let mut count = (min + pool.len() % 3).min(max);
            if function == Function::Ifs && count % 2 == 1 {
                count -= 1;
            }
            let mut args: Vec<Expr> = pool.into_iter().cycle().take(count).collect();
            while args.len() < count {
                args.push(node(ExprKind::Number(1.0)));
            }
            let range = if a.column <= b.column {
                ExprKind::Range(a, b)
            } else {
                ExprKind::Range(b, a)
            };
            match function {
                Function::Sum | Function::Count | Function::CountIf => args[0] = node(range),
                Function::RegexMatch | Function::RegexExtract | Function::RegexReplace => {
                    args[1] = node(ExprKind::Text("a.*(b|c)+".into()));
                }
                _ => {}
            }
            node(ExprKind::Call(function, args))
        })
}

fn expr() -> impl Strategy<Value = Expr> {
    leaf().prop_recursive(5, 48, 4, |inner| {
        prop_oneof![
            (binary_op(), inner.clone(), inner.clone())
                .prop_map(|(op, l, r)| node(ExprKind::Binary(op, Box::new(l), Box::new(r)))),
            (any::<bool>(), inner.clone()).prop_map(|(neg, e)| {
                let op = if neg { UnaryOp::Neg } else { UnaryOp::Plus };
                node(ExprKind::Unary(op, Box::new(e)))
            }),
            inner
                .clone()
                .prop_map(|e| node(ExprKind::Percent(Box::new(e)))),
            inner
                .clone()
                .prop_map(|e| node(ExprKind::Paren(Box::new(e)))),
            call(inner.boxed()),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn print_then_parse_gives_the_same_tree(tree in expr(), row in 2u32..1000) {
        let options = ParseOptions { template_row: row };
        let text = format!("={}", tree.display(row));
        let parsed = Formula::parse(&text, &options)
            .map_err(|e| TestCaseError::fail(format!("{text}\n{}", e.render())))?;
        let printed = parsed.to_string();
        prop_assert_eq!(&printed, &text);
        let reparsed = Formula::parse(&printed, &options)
            .map_err(|e| TestCaseError::fail(e.render()))?;
        prop_assert_eq!(parsed.ast(), reparsed.ast());
    }

    #[test]
    fn lower_case_and_compact_spacing_parse_to_the_same_tree(tree in expr()) {
        let normal = format!("={}", tree.display(2));
        // Squeeze out the spaces the printer adds around operators and after commas, and lower
        // the function names and references; text literals are left alone.
        let mut compact = String::new();
        let mut in_text = false;
        for c in normal.chars() {
            if c == '"' {
                in_text = !in_text;
            }
            if in_text || c == '"' {
                compact.push(c);
            } else if c != ' ' {
                compact.extend(c.to_lowercase());
            }
        }
        let a = Formula::parse(&normal, &ParseOptions::default()).map_err(|e| TestCaseError::fail(e.render()))?;
        let b = Formula::parse(&compact, &ParseOptions::default()).map_err(|e| TestCaseError::fail(format!("{compact}\n{}", e.render())))?;
        prop_assert_eq!(a.ast(), b.ast());
    }
}
