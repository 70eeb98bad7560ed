-- Polling day per village/community: the latest election at or after the polling stage, its latest
-- vote, ballots issued so far (an index-only count on polling_issue_once) against the roll, and the
-- counted outcome. No personal data: counts and flags.
SELECT u.id,
       ST_AsMVTGeom(u.geom_3857, t.env, 4096, 64, true) AS geom,
       u.code, u.name, e.id AS election, e.stage, e.stopped,
       v.number AS vote, v.runoff, e.voters_count AS voters, i.issued,
       (CASE WHEN e.voters_count > 0 THEN round(100.0 * i.issued / e.voters_count, 1) ELSE 0 END)::float8 AS turnout,
       v.status = 'counted' AS counted,
       (v.outcome ->> 'valid')::boolean AS valid,
       COALESCE(jsonb_array_length(v.outcome -> 'elected'), 0) AS elected,
       COALESCE((v.outcome ->> 'runoff_required')::boolean, false) AS runoff_required
FROM adminunits_adminunit AS u
     CROSS JOIN LATERAL (SELECT id, stage, stopped, voters_count FROM elections_election
                         WHERE unit_id = u.id AND stage IN ('polling', 'counting', 'results', 'handover', 'archived')
                         ORDER BY round DESC LIMIT 1) AS e
     CROSS JOIN LATERAL (SELECT id, number, runoff, status, outcome FROM polling_vote
                         WHERE election_id = e.id ORDER BY number DESC LIMIT 1) AS v
     CROSS JOIN LATERAL (SELECT count(*) AS issued FROM polling_issuance WHERE vote_id = v.id) AS i,
     (SELECT ST_TileEnvelope(%(z)s, %(x)s, %(y)s) AS env,
             ST_TileEnvelope(%(z)s, %(x)s, %(y)s, margin => 64.0 / 4096) AS env_buf) AS t
WHERE u.level = 3
  AND u.geom_3857 && t.env_buf
  AND starts_with(u.path, %(prefix)s)
