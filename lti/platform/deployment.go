package platform

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// lastLaunchEvery limits how often a launch updates its deployment's
// last_launch_at, so that busy courses do not write on every launch.
const lastLaunchEvery = time.Hour

// Deployments lists a platform's deployments.
func (s *Store) Deployments(ctx context.Context, platformID int64) ([]Deployment, error) {
	var ds []Deployment
	err := s.db.WithContext(ctx).Where("platform_id = ?", platformID).Order("id").
		Find(&ds).Error
	if err != nil {
		return nil, fmt.Errorf("list deployments: %w", err)
	}
	return ds, nil
}

// AddDeployment registers a deployment; adding one that exists does nothing.
func (s *Store) AddDeployment(ctx context.Context, platformID int64, id, name string) error {
	row := Deployment{PlatformID: platformID, DeploymentID: id, Name: name, CreatedAt: s.now()}
	err := s.db.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&row).Error
	if err != nil {
		return fmt.Errorf("insert deployment: %w", err)
	}
	return nil
}

// CheckDeployment accepts a launch's deployment_id when it is registered for
// p, or records it when p records new deployments. It reports whether the
// deployment was recorded just now. A deployment found within CacheTTL is
// accepted from memory.
func (s *Store) CheckDeployment(ctx context.Context, p *Platform, id string) (bool, error) {
	now := s.now()
	if s.cache.deployment(p.ID, id, now.Add(-CacheTTL)) {
		return false, nil
	}
	recorded, err := s.checkDeployment(ctx, p, id, now)
	if err == nil {
		s.cache.putDeployment(p.ID, id, now)
	}
	return recorded, err
}

func (s *Store) checkDeployment(ctx context.Context, p *Platform, id string, now time.Time) (
	bool, error) {
	var d Deployment
	db := s.db.WithContext(ctx)
	err := db.Where("platform_id = ? AND deployment_id = ?", p.ID, id).Take(&d).Error
	switch {
	case errors.Is(err, gorm.ErrRecordNotFound):
		if !p.RecordNewDeployments {
			return false, ErrUnknownDeployment
		}
		row := Deployment{PlatformID: p.ID, DeploymentID: id, AutoRecorded: true,
			CreatedAt: now, LastLaunchAt: &now}
		err := db.Clauses(clause.OnConflict{DoNothing: true}).Create(&row).Error
		if err != nil {
			return false, fmt.Errorf("record new deployment: %w", err)
		}
		return true, nil
	case err != nil:
		return false, fmt.Errorf("load deployment: %w", err)
	}
	if d.LastLaunchAt == nil || now.Sub(*d.LastLaunchAt) > lastLaunchEvery {
		err := db.Model(&Deployment{}).Where("id = ?", d.ID).Update("last_launch_at", now).Error
		if err != nil {
			return false, fmt.Errorf("update deployment: %w", err)
		}
	}
	return false, nil
}
