//! The typed paths of the evaluator: a node wanted as a number ([`Evaluator::eval_num`]) or as
//! a condition ([`Evaluator::eval_bool`]) is computed as `f64` or `bool` directly when the tree
//! says what it is (literals, cells, arithmetic, comparisons, `IF`, `SUM`, `REGEXMATCH`, `AND`,
//! `OR`, `NOT`), so a score formula builds no value on the way. Every other node falls back to
//! its value, coerced.
//!
//! Each arm equals [`Evaluator::eval`] followed by `V::to_number` or `V::to_bool`; the
//! formula tests compare both walks on generated formulas and rows.

use super::{Evaluator, R, finite};
use crate::ast::BinaryOp;
use crate::cell::Row;
use crate::compile::Node;
use crate::functions::Function;
use crate::value::Value;

impl<'a, Rw: Row + ?Sized, const TYPED: bool> Evaluator<'a, Rw, TYPED> {
    /// `node` as a number: `self.eval(node).to_number()`, without the value.
    pub(super) fn eval_num(&self, node: &'a Node) -> R<f64> {
        match node {
            Node::Number(n) => Ok(*n),
            Node::Blank => Ok(0.0),
            Node::Bool(b) => Ok(f64::from(u8::from(*b))),
            Node::Error(e) => Err(*e),
            Node::Ref(c) => self.cell(*c).to_number(),
            Node::Neg(n) => finite(-self.eval_num(n)?),
            Node::Plus(n) => self.eval_num(n),
            Node::Percent(n) => finite(self.eval_num(n)? / 100.0),
            Node::Binary(
                op
                @ (BinaryOp::Add | BinaryOp::Sub | BinaryOp::Mul | BinaryOp::Div | BinaryOp::Pow),
                l,
                r,
            ) => self.arithmetic_op(*op, l, r),
            Node::If(node) => match self.branch(node)? {
                Some(chosen) => self.number(chosen),
                None => Ok(0.0),
            },
            Node::Call(call) if call.function == Function::Sum => self.sum(&call.args),
            Node::CompareRefNumber(..) | Node::EqRefText { .. } => {
                Ok(f64::from(u8::from(self.eval_bool(node)?)))
            }
            _ => self.eval(node).to_number(),
        }
    }

    /// [`Self::eval_num`], with a number literal (the branches of most `IF`s) read in place.
    #[inline(always)]
    pub(super) fn number(&self, node: &'a Node) -> R<f64> {
        match node {
            Node::Number(n) => Ok(*n),
            _ => self.eval_num(node),
        }
    }

    /// [`Self::eval_bool`], with a cell compared to a literal (most conditions) tested in place
    /// and `REGEXMATCH` called directly.
    #[inline(always)]
    pub(super) fn condition(&self, node: &'a Node) -> R<bool> {
        match node {
            Node::CompareRefNumber(op, col, n) => self.compare_ref_number(*op, *col, *n),
            Node::EqRefText {
                column,
                folded,
                ascii,
                negate,
            } => self.eq_ref_text(*column, folded, *ascii, *negate),
            Node::Call(call) if call.function == Function::RegexMatch => self.regex_match(call),
            _ => self.eval_bool(node),
        }
    }

    /// Whether `node` is a number or an error whatever the row, so that its value is
    /// [`Self::eval_num`]'s answer (a literal number, `SUM`, arithmetic).
    pub(crate) fn gives_number(node: &Node) -> bool {
        match node {
            Node::Number(_) | Node::Neg(_) | Node::Percent(_) => true,
            Node::Binary(op, _, _) => matches!(
                op,
                BinaryOp::Add | BinaryOp::Sub | BinaryOp::Mul | BinaryOp::Div | BinaryOp::Pow
            ),
            Node::Call(call) => call.function == Function::Sum,
            _ => false,
        }
    }

    /// The value of `node` (the whole formula): [`Self::eval`], through [`Self::eval_num`] when
    /// the node gives a number.
    pub(crate) fn eval_top(&self, node: &'a Node) -> Value {
        if TYPED && Self::gives_number(node) {
            return match self.eval_num(node) {
                Ok(n) => Value::Number(n),
                Err(e) => Value::Error(e),
            };
        }
        self.eval(node).into_value()
    }

    /// `node` as a condition: `self.eval(node).to_bool()`, without the value.
    pub(super) fn eval_bool(&self, node: &'a Node) -> R<bool> {
        match node {
            Node::CompareRefNumber(op, col, n) => self.compare_ref_number(*op, *col, *n),
            Node::EqRefText {
                column,
                folded,
                ascii,
                negate,
            } => self.eq_ref_text(*column, folded, *ascii, *negate),
            Node::Bool(b) => Ok(*b),
            Node::Number(n) => Ok(*n != 0.0),
            Node::Error(e) => Err(*e),
            Node::Ref(c) => self.cell(*c).to_bool(),
            Node::Binary(
                op @ (BinaryOp::Eq
                | BinaryOp::Ne
                | BinaryOp::Lt
                | BinaryOp::Le
                | BinaryOp::Gt
                | BinaryOp::Ge),
                l,
                r,
            ) => self.comparison(*op, l, r),
            Node::If(node) => match self.branch(node)? {
                Some(chosen) => self.eval_bool(chosen),
                None => Ok(false),
            },
            Node::Call(call) => match call.function {
                Function::RegexMatch => self.regex_match(call),
                Function::Not => Ok(!self.condition(&call.args[0])?),
                Function::And => {
                    let mut all = true;
                    self.booleans(&call.args, |b| all &= b)?;
                    Ok(all)
                }
                Function::Or => {
                    let mut any = false;
                    self.booleans(&call.args, |b| any |= b)?;
                    Ok(any)
                }
                _ => self.eval(node).to_bool(),
            },
            _ => self.eval(node).to_bool(),
        }
    }
}
