-- Customers (from the CRM snapshot) and orders (from the shop's batch exports).
CREATE TABLE Customers (
  CustomerId INT64 NOT NULL,
  Name STRING(MAX) NOT NULL,
  Email STRING(MAX),
  Country STRING(2),
  -- Set by Spanner at commit (spanner.COMMIT_TIMESTAMP), never by the client clock.
  LoadedAt TIMESTAMP NOT NULL OPTIONS (allow_commit_timestamp = true),
) PRIMARY KEY (CustomerId);

CREATE TABLE Orders (
  OrderId INT64 NOT NULL,
  CustomerId INT64 NOT NULL,
  OrderDate DATE NOT NULL,
  Amount NUMERIC NOT NULL,
  Status STRING(16) NOT NULL,
  -- The immutable export file the row came from: the unit of loading and of replay.
  Batch STRING(64) NOT NULL,
  LoadedAt TIMESTAMP NOT NULL OPTIONS (allow_commit_timestamp = true),
  CONSTRAINT FK_OrdersCustomer FOREIGN KEY (CustomerId) REFERENCES Customers (CustomerId),
) PRIMARY KEY (OrderId);

CREATE INDEX OrdersByBatch ON Orders (Batch);
