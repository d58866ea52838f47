// Package tutor runs the AI-tutor labs: each lab is a conversation between a
// learner and the tutor the course pack names, which guides the learner
// through the lab's objective by asking and challenging, never by doing the
// graded work. The package talks to any OpenAI-compatible chat API (OpenAI,
// Azure OpenAI, or a local server such as Ollama or vLLM) and keeps the
// transcripts, the budgets and the usage in the database.
//
// # Prompts
//
// A lab's system prompt is built from the pack (see BuildPrompt): the tutor's
// persona, the lab's objective and instructions, the teaching rules every lab
// shares, the boundaries, and the lesson the lab follows as grounding. The
// answer keys of the pack's quizzes and tests never enter it: a lesson
// sentence that restates an answer is left out, and a prompt that still
// holds one is refused.
//
// # Conversations
//
// A conversation belongs to one learner, course and lab. Resume starts it with
// the pack's opening message and returns it as stored, so a learner picks up
// where they stopped. Send stores the learner's message before the model is
// called, so nothing typed is lost: when the model fails the message stays,
// marked unanswered, and Retry asks again. An answer is streamed to the
// caller as it arrives and stored once it ends, with the API's token counts;
// an answer the learner stops is stored as far as it got, marked stopped.
//
// Long conversations are trimmed for the model only: the request carries the
// system prompt and the most recent messages that fit the model's context,
// with a note that earlier ones are left out, while the stored transcript
// keeps everything.
//
// # Limits
//
// Each learner has a number of messages and tokens per UTC day, and each
// course a number of tokens per UTC month; a refusal says when the limit
// resets. A limit of 0 means the tutor may not be used, never that use is
// unlimited. A learner has one answer in flight at a time, across every
// instance sharing the database: their pending message is the lease, one
// per learner by a unique index, with an expiry after which a message left
// by a stopped instance is marked unanswered. While a learner has a
// module-test attempt open the caller says so, and the tutor pauses.
//
// # Instructors
//
// Instructors read the transcripts and usage of their own course, export
// them as JSON or CSV, and delete a learner's transcripts. Transcripts idle
// for longer than the retention period are deleted by Cleanup.
package tutor
