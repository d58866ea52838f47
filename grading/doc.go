// Package grading keeps the learner's record: which activity each resource
// link serves and how it is graded, every attempt at a quiz or module test
// with its answers, and which activities each learner has viewed and
// completed. Answers are scored against the answer keys of the course pack.
//
// # Attempts
//
// A learner works through a quiz or test in attempts, counted from 1 per
// learner, activity and resource link (an activity placed twice in a course
// is two gradebook columns, so two counts). At most one attempt is open at a
// time: Open returns it, or starts the next one while the link's maximum
// allows. Each attempt draws a random seed that fixes the order in which its
// options are shown, so a reloaded page looks as it did.
//
// Answer stores one answer at once, with its time; answering a question
// again in an open attempt replaces the choice. On a lesson quiz the caller
// shows the feedback straight away; on a module test it keeps quiet until
// the attempt is submitted. Submit stores the remaining choices, scores the
// attempt and closes it, all in one transaction. A submitted attempt never
// changes again: later answers are refused, and submitting it again returns
// it as it is, so a double click, the back button or a form posted again
// after an expired session counts nothing twice. Retrying a quiz is
// submitting the current attempt and opening the next.
//
// # Scores
//
// An attempt's score is its number of correct answers out of the number of
// questions; an unanswered question is wrong. A test attempt passes when the
// score reaches the module's pass mark, rounded up to a whole question (12
// of 15 at 80%). A quiz has no pass mark, so every submitted quiz attempt
// passes. Of a learner's submitted attempts through one link, the link's
// policy picks the one that counts: the best (the earliest of equal best
// scores) or the latest.
//
// # Progress
//
// Progress is kept per learner, course and activity: viewed when first
// opened, completed once finished. A lesson or lab is completed when the
// caller says so (a lab with CompleteLab); a quiz or test is completed by
// its first submitted attempt, whatever the score, since the score and pass
// are kept with the attempt. The completion is written in the submitting
// transaction.
//
// # Grades in the LMS
//
// A graded link sends its grade to the LMS gradebook through an outbox
// written in the same transaction as what the grade follows from, and
// delivered by workers that retry. A quiz or test sends the score of the
// attempt its policy picks. A lab has no score: a graded lab sends 1 of 1
// when the learner completes it, once per link, and the gradebook lists
// who completed it.
package grading
