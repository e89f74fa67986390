-- One database per service in the compose PostgreSQL (each service owns its own).
CREATE DATABASE identity;
CREATE DATABASE targets;
CREATE DATABASE assessment;
CREATE DATABASE feedback;
CREATE DATABASE scoring;
CREATE DATABASE gateway;
