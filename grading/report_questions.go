package grading

import (
	"context"
	"fmt"
	"sort"

	"aesop/content"
)

// questionStats computes share correct and discrimination per question over
// the attempts the policy picked.
func (s *Store) questionStats(ctx context.Context, qs []*content.Question,
	graded map[int64]int64, learners map[int64]*LearnerRow) ([]QuestionStat, error) {
	ids := make([]int64, 0, len(graded))
	for _, id := range graded {
		ids = append(ids, id)
	}
	correct := map[int64]map[string]bool{} // attempt -> question -> right
	if len(ids) > 0 {
		var rows []answerRow
		err := s.db.WithContext(ctx).Where("attempt_id IN ?", ids).Find(&rows).Error
		if err != nil {
			return nil, fmt.Errorf("load answers: %w", err)
		}
		for _, a := range rows {
			if correct[a.AttemptID] == nil {
				correct[a.AttemptID] = map[string]bool{}
			}
			correct[a.AttemptID][a.QuestionID] = a.Correct
		}
	}
	// Rank the graded attempts by their learner's grade for the upper and
	// lower groups.
	type ranked struct {
		attempt int64
		score   int
	}
	var order []ranked
	for user, att := range graded {
		order = append(order, ranked{att, learners[user].Grade})
	}
	sort.Slice(order, func(i, j int) bool {
		if order[i].score != order[j].score {
			return order[i].score > order[j].score
		}
		return order[i].attempt < order[j].attempt
	})
	k := (len(order)*27 + 99) / 100
	stats := make([]QuestionStat, len(qs))
	for i, q := range qs {
		st := QuestionStat{QuestionID: q.ID, Number: i + 1, Prompt: q.Prompt}
		right := 0
		for _, o := range order {
			if v, ok := correct[o.attempt][q.ID]; ok {
				st.Answered++
				if v {
					right++
				}
			}
		}
		if len(order) > 0 {
			st.ShareCorrect = float64(right) / float64(len(order))
		}
		if k > 0 && len(order) >= 2 {
			share := func(group []ranked) float64 {
				n := 0
				for _, o := range group {
					if correct[o.attempt][q.ID] {
						n++
					}
				}
				return float64(n) / float64(len(group))
			}
			st.Discrimination = share(order[:k]) - share(order[len(order)-k:])
		}
		stats[i] = st
	}
	return stats, nil
}
