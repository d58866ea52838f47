package grading

import "errors"

var (
	// ErrLinkNotSet reports a resource link with no activity chosen yet; an
	// instructor picks one through deep linking or the link's settings.
	ErrLinkNotSet = errors.New("resource link has no activity yet")

	// ErrUnknownActivity reports an activity id the course pack does not hold.
	ErrUnknownActivity = errors.New("no such activity in the course pack")

	// ErrNotAssessed reports a lesson or lab where a quiz or test is needed:
	// only activities with questions have attempts and scores.
	ErrNotAssessed = errors.New("activity has no questions")

	// ErrInvalidSettings reports link settings that cannot be stored; the
	// wrapping error says which field is wrong.
	ErrInvalidSettings = errors.New("invalid link settings")

	// ErrAttemptNotFound reports an attempt id that does not exist.
	ErrAttemptNotFound = errors.New("no such attempt")

	// ErrNotYours reports an attempt that belongs to another learner. It is
	// refused before anything of the attempt is read or written.
	ErrNotYours = errors.New("attempt belongs to another learner")

	// ErrNoAttemptsLeft reports a learner who has used every attempt the
	// link allows.
	ErrNoAttemptsLeft = errors.New("no attempts left")

	// ErrAttemptSubmitted reports an answer to an attempt already submitted:
	// its score is final.
	ErrAttemptSubmitted = errors.New("attempt already submitted")

	// ErrUnknownQuestion reports a question id that is not part of the
	// attempt's quiz or test.
	ErrUnknownQuestion = errors.New("no such question in this activity")

	// ErrUnknownOption reports an option id the question does not offer.
	ErrUnknownOption = errors.New("no such option for this question")
)
