-- Orders as ingested. IngestedAt is stamped by the loading client's clock
-- (no allow_commit_timestamp): the column every time window below relies on.
CREATE TABLE RawOrders (
  OrderId INT64 NOT NULL,
  CustomerId INT64 NOT NULL,
  Amount NUMERIC NOT NULL,
  Status STRING(16) NOT NULL,
  Batch STRING(64) NOT NULL,
  IngestedAt TIMESTAMP NOT NULL,
) PRIMARY KEY (OrderId);

CREATE INDEX RawOrdersByIngestedAt ON RawOrders (IngestedAt);
