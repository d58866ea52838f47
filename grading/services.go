package grading

import (
	"context"
	"fmt"
	"strings"
)

// Services is what a launch said about the grade service for its link: the
// link's own line item when the platform made one, the line items container,
// and the scopes the platform granted.
type Services struct {
	LineItem  string
	LineItems string
	Scopes    []string
}

// RecordServices keeps the grade service endpoints of a link's latest launch,
// which the delivery worker needs long after the launch. A launch that names a
// line item replaces the one stored; one that names none keeps it (Canvas may
// ignore a deep-linked line item, and the worker then finds or makes it). The
// update matches no row when nothing changed, so repeat launches do not write.
func (s *Store) RecordServices(ctx context.Context, linkRef int64, sv Services) error {
	scopes := strings.Join(sv.Scopes, " ")
	err := s.db.WithContext(ctx).Exec("UPDATE link_settings SET "+
		"line_item_url = CASE WHEN ? <> '' THEN ? ELSE line_item_url END, "+
		"ags_lineitems = ?, ags_scopes = ?, updated_at = ? "+
		"WHERE resource_link_ref = ? AND (ags_lineitems <> ? OR ags_scopes <> ? OR "+
		"(? <> '' AND line_item_url <> ?))",
		sv.LineItem, sv.LineItem, sv.LineItems, scopes, now(), linkRef,
		sv.LineItems, scopes, sv.LineItem, sv.LineItem).Error
	if err != nil {
		return fmt.Errorf("record grade service of link: %w", err)
	}
	return nil
}

// SetLineItem stores the line item the worker found or made for a link, unless
// another worker stored one first; it returns the one that is stored.
func (s *Store) SetLineItem(ctx context.Context, linkRef int64, url string) (string, error) {
	db := s.db.WithContext(ctx)
	err := db.Exec("UPDATE link_settings SET line_item_url = ?, updated_at = ? "+
		"WHERE resource_link_ref = ? AND line_item_url = ''", url, now(), linkRef).Error
	if err != nil {
		return "", fmt.Errorf("store line item: %w", err)
	}
	ls, err := loadLink(db, linkRef)
	if err != nil || ls == nil {
		return "", fmt.Errorf("reload line item: %w", err)
	}
	return ls.LineItemURL, nil
}
